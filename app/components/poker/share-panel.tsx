// Getting people in: the members' link and the guest link in full, each with "Copy link", guests
// on or off in one click (for the facilitator), and a QR code for people in the same room.
import { useActionData, useFetcher } from "@remix-run/react";
import { useState } from "react";

function CopyLink({ id, label, url }: { id: string; label: string; url: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      // No clipboard (plain http on a LAN address, say): select the text for Ctrl+C instead.
      const range = document.createRange();
      const node = document.getElementById(id);
      if (node) {
        range.selectNodeContents(node);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setCopied("no");
    }
  };
  return (
    <div className="stack share-link">
      <span className="share-label" id={`${id}-label`}>
        {label}
      </span>
      <code id={id} className="share-url" aria-labelledby={`${id}-label`}>
        {url}
      </code>
      <div className="row">
        <button type="button" className="btn btn-sm" onClick={() => void copy()} aria-describedby={`${id}-label`}>
          Copy link
        </button>
        <span role="status" className="muted">
          {copied === "yes" ? "Copied ✓" : copied === "no" ? "Selected: press Ctrl+C (⌘C) to copy" : ""}
        </span>
      </div>
    </div>
  );
}

export function SharePanel(props: {
  shareUrl: string;
  guestUrl: string | null;
  guestsAllowed: boolean;
  isFacilitator: boolean;
  canInvite: boolean;
  linkProblem: string | null;
  qrSvg: string | null;
}) {
  const fetcher = useFetcher({ key: "poker-guests" });
  const busy = fetcher.state !== "idle";
  type InviteResult = { invite?: { url: string; expires: string } } | undefined;
  const inviter = useFetcher<InviteResult>();
  // Before JS loads the button is a plain form post: the link then comes back as the page's action data.
  const posted = useActionData<InviteResult>();
  const invite = inviter.data?.invite ?? posted?.invite;
  return (
    <section className="card stack" aria-labelledby="poker-share-h">
      <h2 id="poker-share-h">Invite people</h2>
      {props.linkProblem ? (
        <p className="alert alert-warn" role="note">
          {props.linkProblem}
        </p>
      ) : null}
      <CopyLink id="poker-share-link" label="Link for team members" url={props.shareUrl} />
      {props.guestUrl ? (
        <CopyLink
          id="poker-guest-link"
          label="Guest link (a display name is enough; this session only)"
          url={props.guestUrl}
        />
      ) : null}
      {props.isFacilitator ? (
        <fetcher.Form method="post" className="row">
          <input type="hidden" name="intent" value="guest-link" />
          <input type="hidden" name="enabled" value={props.guestsAllowed ? "off" : "on"} />
          <button
            type="submit"
            className={props.guestsAllowed ? "btn btn-ghost btn-sm" : "btn btn-primary btn-sm"}
            disabled={busy}
          >
            {props.guestsAllowed ? "Turn the guest link off" : "Let guests in (make a guest link)"}
          </button>
          {!props.guestsAllowed ? <span className="muted">Guests vote with a display name, no account.</span> : null}
        </fetcher.Form>
      ) : !props.guestUrl ? (
        <p className="muted">Guests can join once the facilitator makes a guest link.</p>
      ) : null}
      {props.canInvite ? (
        invite ? (
          <>
            <CopyLink
              id="poker-invite-link"
              label="Invite for someone new to the team (they sign up, join as a member and land here)"
              url={invite.url}
            />
            <p className="muted">
              Anyone with this link can join as a member until {invite.expires}. It is shown only now.
            </p>
          </>
        ) : (
          <inviter.Form method="post" className="row">
            <input type="hidden" name="intent" value="invite-member" />
            <button type="submit" className="btn btn-sm" disabled={inviter.state !== "idle"}>
              Invite someone new to the team
            </button>
          </inviter.Form>
        )
      ) : null}
      {props.qrSvg ? (
        <details className="share-qr">
          <summary>QR code for people in the room</summary>
          <figure>
            <div
              className="share-qr-code"
              role="img"
              aria-label={props.guestUrl ? "QR code of the guest link" : "QR code of the members' link"}
              // An SVG made on the server by uqr from our own link: no user markup in it.
              dangerouslySetInnerHTML={{ __html: props.qrSvg }}
            />
            <figcaption className="muted">
              {props.guestUrl ? "Scan to join as a guest." : "Scan to open the room (team members)."}
            </figcaption>
          </figure>
        </details>
      ) : null}
    </section>
  );
}
