// npm run db:migrate — opening the services runs every pending migration (same as at start-up).
import { closeServices, getServices } from "~/utils/database-and-secrets.server";

const { database } = await getServices();
console.log(`Migrations are up to date (${database.kind}).`);
await closeServices();
