// Entry point of the `agentpool` command (bin/agentpool.js and `npm start` run this file).
import { main } from "./cli.js";

await main(process.argv.slice(2));
