import { AthenaClient } from "@aws-sdk/client-athena";
import { CLI_ERROR_CODES, CliError, EXIT } from "../errors.js";

export interface AthenaClientEnv {
  AWS_REGION?: string | undefined;
  AWS_DEFAULT_REGION?: string | undefined;
  AWS_ENDPOINT_URL_ATHENA?: string | undefined;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  AWS_SESSION_TOKEN?: string | undefined;
}

/**
 * An Athena client from the command's environment (io.env), as createLogsClient does for
 * CloudWatch Logs: region, endpoint (AWS_ENDPOINT_URL_ATHENA, the SDK's service-specific
 * variable) and static credentials when present; profiles, SSO and roles through the SDK's chain.
 */
export function createAthenaClient(env: AthenaClientEnv): AthenaClient {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.AWS_ENDPOINT_URL_ATHENA ?? env.AWS_ENDPOINT_URL;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return new AthenaClient({
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  });
}

/** Error names AWS gives for credentials it does not accept (wrong key, bad signature, expired). */
const BAD_CREDENTIALS = new Set(["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "CredentialsProviderError"]);

/**
 * An Athena (or Logs Insights) call's exception as a CliError. `doing` names the call
 * ("Athena StartQueryExecution"). The workgroup is named when Athena says it does not exist,
 * because that is the usual mistake (a stage's workgroup is `<app>-<stage>-syslog`).
 */
export function awsCallError(err: unknown, doing: string, context: { workgroup?: string } = {}): CliError {
  if (err instanceof CliError) return err;
  const e = err as { name?: string; message?: string } | undefined;
  const name = e?.name ?? "Error";
  const message = e?.message ?? String(err);
  const service = doing.split(" ")[0] === "Athena" ? "Athena" : "CloudWatch Logs";
  if (/region is missing/i.test(message)) {
    return new CliError(CLI_ERROR_CODES.awsFailed, `${service}: no AWS region (set AWS_REGION or a profile's region)`, EXIT.failure, { cause: err });
  }
  if (BAD_CREDENTIALS.has(name) || /could not load credentials|security token/i.test(message)) {
    return new CliError(CLI_ERROR_CODES.awsFailed, `${service}: the AWS credentials were not accepted (${name}: ${message}); set AWS_PROFILE or log in again`, EXIT.failure, { cause: err });
  }
  if (name === "AccessDeniedException") {
    return new CliError(CLI_ERROR_CODES.awsFailed, `${doing} was refused: ${message}`, EXIT.failure, { cause: err });
  }
  if (context.workgroup !== undefined && /workgroup/i.test(message) && /not (be )?found|does not exist/i.test(message)) {
    return new CliError(CLI_ERROR_CODES.awsFailed, `Athena has no workgroup "${context.workgroup}" (${message}); check --workgroup and the region`, EXIT.failure, { cause: err });
  }
  if (name === "InvalidRequestException" || name === "MalformedQueryException") {
    // Athena rejects some SQL before running it (e.g. a parse error): the query did not run.
    return new CliError(CLI_ERROR_CODES.queryFailed, `${doing}: ${message}`, EXIT.failure, { cause: err });
  }
  if (name === "ResourceNotFoundException") {
    return new CliError(CLI_ERROR_CODES.logGroupNotFound, `${doing}: ${message}; check the log group names and the region`, EXIT.failure, { cause: err });
  }
  return new CliError(CLI_ERROR_CODES.awsFailed, `${doing} failed: ${name}: ${message}`, EXIT.failure, { cause: err });
}
