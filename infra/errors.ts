/**
 * Errors raised while building the infrastructure (at `sst deploy` / `sst diff` time, before
 * anything is sent to AWS). Each has a stable code; `problems` lists every issue found so one
 * run reports them all, each starting with the field it is about.
 */
export type InfraErrorCode = "INFRA_STAGE_CONFIG_INVALID";

export class InfraError extends Error {
  readonly code: InfraErrorCode;
  readonly problems: readonly string[];
  constructor(code: InfraErrorCode, problems: readonly string[], options?: { cause?: unknown }) {
    super(`${code}: ${problems.join("; ")}`, options);
    this.name = "InfraError";
    this.code = code;
    this.problems = problems;
  }
}

/** Stage configuration failed validation; fix the named fields in infra/stages.ts or SYSLOG_STAGE_CONFIG. */
export class StageConfigError extends InfraError {
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super("INFRA_STAGE_CONFIG_INVALID", problems, options);
    this.name = "StageConfigError";
  }
}
