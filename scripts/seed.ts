// npm run db:seed — creates (or refreshes) the demo team on the configured database.
import { ensureDemo, printDemoLogin } from "./seed/demo";
import { closeServices, getServices } from "~/utils/database-and-secrets.server";

const services = await getServices();
await ensureDemo(services);
console.log("Demo team 'demo' is ready.");
await printDemoLogin(services, `http://localhost:${services.env.PORT}`);
await closeServices();
