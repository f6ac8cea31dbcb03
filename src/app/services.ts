// Builds the services every handler uses, in dependency order.
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Logger } from "pino";
import { EventBus, type PublishTo, type PublishToAsync, type ScopedEvent } from "../bus/event-bus.js";
import { ConfigService } from "../config/config-service.js";
import { CredentialStore } from "../auth/credential-store.js";
import { loadServedSpec } from "../contract/served-spec.js";
import { Projects } from "../project/projects.js";
import { PermissionService } from "../permission/permission-service.js";
import { QuestionService } from "../question/question-service.js";
import { MessageService } from "../session/message-service.js";
import { PromptService } from "../session/prompt-service.js";
import { ModelResolver } from "../agent/llm/model-resolver.js";
import { RunRegistry } from "../session/run-registry.js";
import { SessionEvents } from "../session/session-events.js";
import { AcpPool } from "../agent/acp/acp-backend.js";
import { McpService } from "../mcp/mcp-service.js";
import { PluginService } from "../plugin/plugin-service.js";
import { FileWatchers } from "../files/file-watcher.js";
import { PtyService } from "../pty/pty-service.js";
import { publishForDirectory } from "../bus/instance-events.js";
import { SessionService } from "../session/session-service.js";
import { SessionLifecycle } from "../session/session-lifecycle.js";
import { ShellService } from "../session/shell-service.js";
import { CommandService } from "../session/command-service.js";
import { RevertService } from "../session/revert-service.js";
import { SessionDiffs } from "../snapshot/session-diffs.js";
import { Snapshots } from "../snapshot/snapshots.js";
import { openDatabase } from "../storage/database.js";
import { SqlStore } from "../storage/sql-store.js";
import { SqlClusterStore } from "../storage/sql-cluster-store.js";
import { RunSlots } from "../session/run-slots.js";
import { PendingRequests } from "../cluster/pending-requests.js";
import type { ServerConfig, Services } from "./service-types.js";
import { SpecSchemas, summarizeErrors } from "../contract/validation.js";
import { TuiControl } from "../tui/tui-control.js";
import { LspService } from "../lsp/lsp-service.js";
import { GitWorktrees } from "../worktree/git-worktrees.js";
import { Workspaces } from "../workspace/workspaces.js";
import { SyncEventLog } from "../sync/sync-event-log.js";
import { reportManifestProblemsTo } from "../agent/manifest/manifest-log.js";
import { FormatOnEdit } from "../format/format-on-edit.js";
import { ProjectCopies } from "../project/project-copies.js";
import { InstanceScope } from "../instance/instance-scope.js";
import { SessionEventLog } from "../v2/durable-log.js";
import { joinPool } from "../cluster/pool-node.js";

/** Checks each published event against the spec once, before any stream sends it. */
function eventCheck(schemas: SpecSchemas, config: ServerConfig, log: Logger) {
  return (event: ScopedEvent) => {
    // Either shape will do: the global one is checked only when the bare one does not conform,
    // and the bare one's errors are what is reported.
    const errors = schemas.check("ServedEvent", event.payload);
    if (!errors || !schemas.check("ServedGlobalEvent", event)) return;
    const message = `event ${event.payload.type} breaks the spec: ${summarizeErrors(errors, event.payload).join("; ")}`;
    if (config.contractMode === "fail") throw new Error(message);
    log.warn({ event }, message);
  };
}

/** The same for the v2 stream's events (the v2 envelope). */
function v2EventCheck(schemas: SpecSchemas, config: ServerConfig, log: Logger) {
  return (event: { type: string }) => {
    const errors = schemas.check("V2Event", event);
    if (!errors) return;
    const message = `event ${event.type} breaks the spec: ${summarizeErrors(errors, event).join("; ")}`;
    if (config.contractMode === "fail") throw new Error(message);
    log.warn({ event }, message);
  };
}

/** How runs reach models; tests point them elsewhere. */
export interface PromptServiceOptions {
  /** Waits between retries of a failing provider (tests shorten them). */
  retryDelaysMs?: number[];
  /** Where provider keys are read (process.env by default). */
  env?: NodeJS.ProcessEnv;
}

export interface ServiceOptions {
  config: ServerConfig;
  log: Logger;
  prompt?: PromptServiceOptions;
}

export async function createServices(options: ServiceOptions): Promise<Services> {
  const { config, log } = options;
  reportManifestProblemsTo(log);
  const schemas = new SpecSchemas(loadServedSpec());
  const configs = new ConfigService((value) => {
    const errors = schemas.check("Config", value);
    return errors ? summarizeErrors(errors, value).slice(0, 3).join("; ") : undefined;
  });
  const bus = new EventBus(eventCheck(schemas, config, log));
  // SQLite in the data folder, or the shared database config.databaseUrl names; migrated before use.
  const database = await openDatabase({ url: config.databaseUrl, dataDirectory: config.dataDirectory });
  const store = new SqlStore(database);
  // One id per process, for every part of it that speaks to the pool's other nodes. On
  // PostgreSQL the events published here reach the other nodes' streams (and theirs, ours).
  const nodeID = `node_${randomUUID()}`;
  const pool = await joinPool({ nodeID, database, url: config.databaseUrl, bus, onError: (err, message) => log.warn({ err }, message) });
  // Upstream announces a project on the global stream the first time it sees it.
  const projects = new Projects(store, (project) => bus.publish({ directory: "global", project: project.id }, "project.updated", project));
  const events = new SessionEvents(store, bus);
  const sessions = new SessionService(store, projects, events);
  // The pool's shared state, and how this node reaches the others: its requests are listed by
  // every node only where a reply can be passed on (PostgreSQL).
  const cluster = new SqlClusterStore(database.share());
  const { signals } = pool;
  const pooled = database.dialect === "postgres";
  const runs = new RunRegistry({ store, events, cluster, signals, onError: (err) => log.warn({ err }, "run lease") });
  // Caps on concurrent runs across the pool (--run-limit); with none, runs never ask for slots.
  const slots = new RunSlots(cluster, { limits: config.runLimits ?? {}, nodeID, ttlMs: runs.leases!.ttlMs, log });
  const snapshots = new Snapshots(path.join(config.dataDirectory, "snapshot"), pooled ? { indexName: `index.${nodeID}` } : {});
  const diffs = new SessionDiffs({ store, snapshots, projects, sessions, events });
  const publishForSession: PublishToAsync<string> = async (sessionID, type, properties) => {
    const session = await store.getSession(sessionID);
    if (session) await events.publish(session, type, properties);
  };
  const publishInDirectory: PublishTo<string> = (directory, type, properties) =>
    void publishForDirectory({ bus, projects }, directory, type, properties).catch(() => undefined);
  const plugins = new PluginService({ configs, projects, bus, publish: publishInDirectory, log });
  const permissions = new PermissionService({
    store,
    pending: new PendingRequests("permission", cluster, signals, pooled),
    publish: publishForSession,
    pluginDecision: async (request) => {
      const session = await store.getSession(request.sessionID);
      return session ? plugins.permission(session.directory, request) : "ask";
    },
  });
  const questions = new QuestionService(new PendingRequests("question", cluster, signals, pooled), publishForSession);
  const lifecycle = new SessionLifecycle({ store, sessions, runs, permissions, questions });
  const reverts = new RevertService({ store, sessions, events, runs, projects, snapshots });
  const credentials = new CredentialStore(config.dataDirectory);
  const acp = new AcpPool();
  const mcp = new McpService(configs, publishInDirectory, log);
  const models = new ModelResolver(options.prompt?.env ?? process.env, credentials);
  const prompts = new PromptService({
    store,
    sessions,
    events,
    runs,
    projects,
    config: configs,
    diffs,
    reverts,
    permissions,
    questions,
    lifecycle,
    log,
    acp,
    mcp,
    plugins,
    models,
    env: options.prompt?.env,
    retryDelaysMs: options.prompt?.retryDelaysMs,
    slots: slots.enabled ? slots : undefined,
  });
  const shell = new ShellService({
    store,
    sessions,
    events,
    runs,
    projects,
    config: configs,
    afterRun: (id) => prompts.resumeQueue(id),
    fallbackModel: (c) => models.fallback(c),
  });
  const worktrees = new GitWorktrees({ bus, projects, store, log, dataDirectory: config.dataDirectory });
  const commands = new CommandService({ prompts, sessions, events, config: configs, plugins });
  const pty = new PtyService(publishInDirectory);
  const watchers = new FileWatchers(bus, publishInDirectory, log);
  const lsp = new LspService(bus, configs, log);
  // Per-directory state, released as a whole when an instance is disposed.
  const instances = new InstanceScope({ configs, lsp, mcp, plugins, acp, pty, watchers }, log);
  return {
    config,
    log,
    schemas,
    bus,
    store,
    cluster,
    signals,
    projects,
    sessions,
    lifecycle,
    events,
    messages: new MessageService(store, sessions, events),
    runs,
    prompts,
    diffs,
    snapshots,
    shell,
    reverts,
    commands,
    permissions,
    questions,
    configs,
    credentials,
    models,
    acp,
    mcp,
    plugins,
    pty,
    watchers,
    tui: new TuiControl(),
    lsp,
    instances,
    worktrees,
    workspaces: new Workspaces(path.join(config.dataDirectory, "workspace.json"), worktrees, bus),
    syncLog: new SyncEventLog(database.share(), bus, (err) => log.error({ err }, "could not log a sync event")),
    // The v2 session log, in the store's database: on PostgreSQL one log for the whole pool, its
    // other nodes' appends announced on the pool's LISTEN connection.
    sessionLog: new SessionEventLog(database.share(), bus, {
      store,
      prompts,
      log,
      check: v2EventCheck(schemas, config, log),
      notifications: pool.listener,
    }),
    formatting: new FormatOnEdit(bus, configs, log),
    projectCopies: new ProjectCopies({ projects, store, bus }),
    nodeID,
    pool,
  };
}
