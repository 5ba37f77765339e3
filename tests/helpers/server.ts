// Tests start the real built server the same way the benchmarks do.
export {
  HttpClient,
  spawnServer as startTestServer,
  type SpawnedServer as TestServer,
} from "../../scripts/lib/spawn-server";
