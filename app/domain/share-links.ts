// The address people are sent to join a room: APP_ORIGIN when it is set, else the address the
// facilitator browsed on. A loopback address only works on the facilitator's own computer.

export function shareOrigin(requestUrl: string, appOrigin: string | undefined): string {
  return (appOrigin ?? new URL(requestUrl).origin).replace(/\/+$/, "");
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$/i;

/** Why a link on this origin cannot work for others, or null when it can. */
export function shareLinkProblem(origin: string): string | null {
  let host: string;
  try {
    host = new URL(origin).hostname;
  } catch {
    return "This address is not a valid link.";
  }
  if (LOOPBACK.test(host) || host.endsWith(".localhost")) {
    return `These links point at ${host}, which only works on this computer. Open the app on an address others can reach, or set APP_ORIGIN to it (for example http://192.0.2.2:3000).`;
  }
  return null;
}
