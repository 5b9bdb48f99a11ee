import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

/** A certificate or key given as a file path; read and checked at start-up, not at the first connection. */
export const pemFile = z.string().min(1, 'must be the path of a PEM file').optional();

export interface ServerTlsFiles {
  cert: Buffer;
  key: Buffer;
}

type Env = Record<string, unknown>;

function readable(path: string): { content?: Buffer; problem?: string } {
  try {
    return { content: readFileSync(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return { problem: `cannot read ${path} (${why})` };
  }
}

/**
 * Refinement for a server certificate and key given as two variables: both or neither, each file
 * readable, and the two forming a usable TLS context (PEM, key matching the certificate). Checked here
 * so a typo stops the process at start-up with the variable named, not at the first TLS handshake.
 */
export function checkServerTlsFiles(env: Env, ctx: z.RefinementCtx, certVariable: string, keyVariable: string): void {
  const certPath = env[certVariable] as string | undefined;
  const keyPath = env[keyVariable] as string | undefined;
  if (!certPath && !keyPath) return;
  if (!certPath || !keyPath) {
    const missing = certPath ? keyVariable : certVariable;
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `is required with ${certPath ? certVariable : keyVariable}: a certificate and its private key go together`,
    });
    return;
  }
  const cert = readable(certPath);
  const key = readable(keyPath);
  if (cert.problem) ctx.addIssue({ code: 'custom', path: [certVariable], message: cert.problem });
  if (key.problem) ctx.addIssue({ code: 'custom', path: [keyVariable], message: key.problem });
  if (!cert.content || !key.content) return;
  try {
    createSecureContext({ cert: cert.content, key: key.content });
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      path: [certVariable],
      message: `${certPath} and ${keyVariable} ${keyPath} are not a usable PEM certificate and matching private key (${(error as Error).message})`,
    });
  }
}

/** Refinement for a CA bundle a client trusts: when set, the file must be readable. */
export function checkCaFile(env: Env, ctx: z.RefinementCtx, caVariable: string): void {
  const caPath = env[caVariable] as string | undefined;
  if (!caPath) return;
  const ca = readable(caPath);
  if (ca.problem) ctx.addIssue({ code: 'custom', path: [caVariable], message: ca.problem });
}

/** The certificate and key, once checkServerTlsFiles passed; undefined when TLS is not configured. */
export function serverTlsFiles(certPath: string | undefined, keyPath: string | undefined): ServerTlsFiles | undefined {
  return certPath && keyPath ? { cert: readFileSync(certPath), key: readFileSync(keyPath) } : undefined;
}

export function caFile(caPath: string | undefined): Buffer | undefined {
  return caPath ? readFileSync(caPath) : undefined;
}

/** HTTPS for an app's own HTTP server (the API; the gateway's health and metrics). */
export const httpTlsVariables = {
  TLS_CERT_FILE: pemFile,
  TLS_KEY_FILE: pemFile,
};

export function checkHttpTls(env: Env, ctx: z.RefinementCtx): void {
  checkServerTlsFiles(env, ctx, 'TLS_CERT_FILE', 'TLS_KEY_FILE');
}

export function httpTlsFrom(env: { TLS_CERT_FILE?: string; TLS_KEY_FILE?: string }): ServerTlsFiles | undefined {
  return serverTlsFiles(env.TLS_CERT_FILE, env.TLS_KEY_FILE);
}
