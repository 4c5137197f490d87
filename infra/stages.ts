import { StageConfigError } from "./errors.js";
import { parseStageConfig, type StageConfig } from "./stage-config.js";

/**
 * Per-stage values that are safe to keep in the repository. Account-specific values (ACM and
 * Secrets Manager ARNs, existing key ARN, Elastic IP allocation ids, sender CIDRs) come from the
 * SYSLOG_STAGE_CONFIG environment variable (JSON, same fields as StageConfig), which wins.
 */
export const STAGES: Record<string, Partial<StageConfig>> = {
  production: { tasks: { desired: 3, min: 3, max: 20 }, azCount: 3, elasticIps: "create", archiveExpireDays: 2557 },
};

/** Reads and validates the configuration of `stage`; throws StageConfigError naming each bad field. */
export function loadStageConfig(stage: string, env: NodeJS.ProcessEnv = process.env): Readonly<StageConfig> {
  let fromEnv: unknown = {};
  const json = env.SYSLOG_STAGE_CONFIG;
  if (json !== undefined && json.trim() !== "") {
    try {
      fromEnv = JSON.parse(json);
    } catch (err) {
      throw new StageConfigError([`SYSLOG_STAGE_CONFIG: not valid JSON (${(err as Error).message})`], { cause: err });
    }
    if (typeof fromEnv !== "object" || fromEnv === null || Array.isArray(fromEnv)) throw new StageConfigError(["SYSLOG_STAGE_CONFIG: expected a JSON object"]);
  }
  const region = env.SYSLOG_REGION ? { region: env.SYSLOG_REGION } : {};
  return parseStageConfig({ ...region, ...(STAGES[stage] ?? {}), ...(fromEnv as object) });
}
