// What the composition root builds: the server's settings and the services every handler
// reaches through its request context. Transport (src/server/) only uses these; the domain
// modules never see the whole bag, only the narrow dependencies they declare.
import type { Logger } from "pino";
import type { EventBus } from "../bus/event-bus.js";
import type { ClusterSignals } from "../cluster/cluster-signals.js";
import type { PoolNode } from "../cluster/pool-node.js";
import type { Projects } from "../project/projects.js";
import type { ConfigService } from "../config/config-service.js";
import type { CredentialStore } from "../auth/credential-store.js";
import type { ModelResolver } from "../agent/llm/model-resolver.js";
import type { PermissionService } from "../permission/permission-service.js";
import type { QuestionService } from "../question/question-service.js";
import type { MessageService } from "../session/message-service.js";
import type { PromptService } from "../session/prompt-service.js";
import type { RunRegistry } from "../session/run-registry.js";
import type { SessionEvents } from "../session/session-events.js";
import type { SessionService } from "../session/session-service.js";
import type { SessionLifecycle } from "../session/session-lifecycle.js";
import type { ShellService } from "../session/shell-service.js";
import type { RevertService } from "../session/revert-service.js";
import type { CommandService } from "../session/command-service.js";
import type { Store } from "../storage/store.js";
import type { ClusterStore } from "../storage/cluster-store.js";
import type { SessionDiffs } from "../snapshot/session-diffs.js";
import type { Snapshots } from "../snapshot/snapshots.js";
import type { SpecSchemas } from "../contract/validation.js";
import type { AcpPool } from "../agent/acp/acp-backend.js";
import type { McpService } from "../mcp/mcp-service.js";
import type { PluginService } from "../plugin/plugin-service.js";
import type { FileWatchers } from "../files/file-watcher.js";
import type { PtyService } from "../pty/pty-service.js";
import type { TuiControl } from "../tui/tui-control.js";
import type { LspService } from "../lsp/lsp-service.js";
import type { InstanceScope } from "../instance/instance-scope.js";
import type { GitWorktrees } from "../worktree/git-worktrees.js";
import type { Workspaces } from "../workspace/workspaces.js";
import type { SessionEventLog } from "../v2/durable-log.js";
import type { SyncEventLog } from "../sync/sync-event-log.js";
import type { FormatOnEdit } from "../format/format-on-edit.js";
import type { ProjectCopies } from "../project/project-copies.js";
import type { RunLimits } from "../session/run-slots.js";

/** How a contract violation in a response or event is treated. */
export type ContractMode = "fail" | "warn";

export interface ServerConfig {
  /** The directory served when a request names none. */
  projectDirectory: string;
  /** Where the database lives ($XDG_DATA_HOME/agentpool). */
  dataDirectory: string;
  /** A shared database (postgres://...) instead of SQLite in the data folder. */
  databaseUrl?: string;
  hostname: string;
  port: number;
  corsOrigins: string[];
  contractMode: ContractMode;
  heartbeatMs: number;
  /** Caps on concurrent runs across the pool per "agent:<name>" / "provider:<id>" (--run-limit). */
  runLimits?: RunLimits;
}

export interface Services {
  config: ServerConfig;
  log: Logger;
  bus: EventBus;
  schemas: SpecSchemas;
  store: Store;
  /** The pool's shared state: live nodes, run leases, pending requests. */
  cluster: ClusterStore;
  /** Small messages to another node of the pool (nothing to send to on SQLite). */
  signals: ClusterSignals;
  projects: Projects;
  sessions: SessionService;
  /** Stops and deletes sessions with everything pending under them. */
  lifecycle: SessionLifecycle;
  /** Publishes session events with their sync twins. */
  events: SessionEvents;
  messages: MessageService;
  runs: RunRegistry;
  prompts: PromptService;
  diffs: SessionDiffs;
  snapshots: Snapshots;
  shell: ShellService;
  reverts: RevertService;
  commands: CommandService;
  permissions: PermissionService;
  questions: QuestionService;
  /** A directory's OpenCode configuration. */
  configs: ConfigService;
  credentials: CredentialStore;
  /** The models this server can run (its environment's keys and the stored credentials). */
  models: ModelResolver;
  /** External (ACP) agents' processes. */
  acp: AcpPool;
  /** MCP servers' clients, per directory. */
  mcp: McpService;
  /** The user's plugins and custom tools, per directory. */
  plugins: PluginService;
  /** Watches of the projects clients work in (file.watcher.updated, vcs.branch.updated). */
  watchers: FileWatchers;
  /** Terminals. */
  pty: PtyService;
  /** The request queue between the server and an externally driven TUI. */
  tui: TuiControl;
  /** The language servers of each directory. */
  lsp: LspService;
  /** Every directory's state (config, language servers, MCP, plugins, agents, terminals, watchers), released as a whole. */
  instances: InstanceScope;
  /** Extra git worktrees of projects (experimental worktree routes, workspaces). */
  worktrees: GitWorktrees;
  /** Workspaces (worktree-backed) of projects. */
  workspaces: Workspaces;
  /** The durable session events, for clients catching up (POST /sync/history). */
  syncLog: SyncEventLog;
  /** The v2 engine's session.next.* events, logged as they happen (/api/event, /api/session/{id}/event, history). */
  sessionLog: SessionEventLog;
  /** Runs the configured formatter on files the tools changed. */
  formatting: FormatOnEdit;
  /** Copies (git worktrees) of projects, the v2 project copy routes. */
  projectCopies: ProjectCopies;
  /** This process's id in a pool of nodes on one database (one per process). */
  nodeID: string;
  /** The pool membership (the event relay on PostgreSQL), closed on shutdown. */
  pool: PoolNode;
}
