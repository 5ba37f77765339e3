// Credits the team asked its organisation for during the sprint, with the decisions: part of what
// the sprint cost, and why (issue 17).
import { ExceptionHistory } from "~/components/organisation/exception-history";
import type { RetroData } from "./retro-data";

export function OrganisationExceptions({ d }: { d: RetroData }) {
  return d.exceptions.length ? (
    <section aria-labelledby="org-exceptions-title" className="retro-section">
      <h3 id="org-exceptions-title">Credits asked of the organisation</h3>
      <ExceptionHistory exceptions={d.exceptions} showTeam={false} />
    </section>
  ) : null;
}
