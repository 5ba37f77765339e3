import { createTeam } from "~/models/team.server";
import { createUser } from "~/models/user.server";
import type { DB } from "~/utils/db.server";

let seq = 0;

/** A team with an owner, ready for feature tests. */
export async function makeTeam(db: DB, name = "Factory Team") {
  const n = seq++;
  const owner = await createUser(db, {
    email: `owner${n}-${Date.now()}@example.com`,
    name: `Owner ${n}`,
    password: "long password 1",
  });
  const team = await createTeam(db, { name, slug: `team-${n}-${Date.now().toString(36)}`, ownerId: owner.id });
  return { team, owner };
}

export async function makeUser(db: DB, name = "User") {
  const n = seq++;
  return createUser(db, {
    email: `user${n}-${Date.now()}@example.com`,
    name: `${name} ${n}`,
    password: "long password 1",
  });
}
