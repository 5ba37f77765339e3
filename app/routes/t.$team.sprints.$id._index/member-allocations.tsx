// The members' allocations of the sprint's capacity, when there are any.
import { Link } from "@remix-run/react";
import type { BoardData } from "./board-data";
import { formatCredits } from "~/domain/credits";

export function MemberAllocations({ d }: { d: BoardData }) {
  return d.allocations.rows.length ? (
    <section className="card stack" aria-labelledby="alloc-heading">
      <h2 id="alloc-heading">Member allocations</h2>
      <ul className="plain-list">
        {d.allocations.rows.map((a) => (
          <li key={a.userId} className="row">
            <span>{a.name}</span>
            <span className="spacer" />
            <span className="num">{formatCredits(a.credits)} credits</span>
          </li>
        ))}
      </ul>
      <p className="muted">
        {formatCredits(d.allocations.check?.allocated ?? 0)} of {formatCredits(d.cap.capacity)} credits allocated.{" "}
        <Link to="settings">Edit</Link>
      </p>
    </section>
  ) : null;
}
