// One schema per tool: a built-in tool declares its parameters once, as a zod schema. From it come
// the JSON Schema the model is sent (zod's own conversion, as upstream sends) and the check every
// call passes before the tool runs, so a call with missing or mistyped arguments never reaches
// the implementation and the model reads upstream's "invalid arguments" error and can retry.
import type { JSONSchema7 } from "ai";
import { z } from "zod";
import { ToolError, type ToolContext, type ToolDefinition, type ToolResult } from "./tool.js";

export interface ToolSpec<S extends z.ZodType> {
  id: string;
  description: string;
  parameters: S;
  /** The implementation; it only ever sees arguments the schema accepted (defaults filled in). */
  run(args: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** A built-in tool: a ToolDefinition that also carries its zod schema. */
export type BuiltInTool<S extends z.ZodType = z.ZodType> = ToolDefinition<z.input<S>> & { schema: S };

/** Upstream's wording, so a model trained on OpenCode recognises it; `error` prints zod's issues. */
export function invalidArgumentsMessage(tool: string, error: z.ZodError): string {
  return `The ${tool} tool was called with invalid arguments: ${String(error)}.\nPlease rewrite the input so it satisfies the expected schema.`;
}

/** The JSON Schema the model sees: what the model may send ("input"), so defaults are not required. */
export function toJsonSchema(schema: z.ZodType): JSONSchema7 {
  return z.toJSONSchema(schema, { io: "input" }) as JSONSchema7;
}

export function defineTool<S extends z.ZodType>(spec: ToolSpec<S>): BuiltInTool<S> {
  return {
    id: spec.id,
    description: spec.description,
    parameters: toJsonSchema(spec.parameters),
    schema: spec.parameters,
    async execute(args, ctx) {
      const parsed = spec.parameters.safeParse(args);
      if (!parsed.success) throw new ToolError(invalidArgumentsMessage(spec.id, parsed.error));
      return spec.run(parsed.data, ctx);
    },
  };
}

/**
 * A positive whole number as upstream's schemas declare it. Upstream's zod release printed the
 * safe-integer lower bound next to `exclusiveMinimum: 0`; ours drops it, so it is put back to send
 * the model the same schema (the check itself is unchanged).
 */
export function positiveInt() {
  return z.number().int().positive().meta({ minimum: Number.MIN_SAFE_INTEGER });
}

/** A whole number from 0 (read's `offset` and `limit`). */
export function nonNegativeInt() {
  return z.number().int().min(0);
}
