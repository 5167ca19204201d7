import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from './config.js';
import { ProtocolError } from './errors.js';

/** What a route or WebSocket op requires: a role, or nothing (`public`). */
export type Access = Role | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Role the route requires; routes without one require `admin` (fail closed). */
    access?: Access;
  }
}

/**
 * Bearer-token authentication with roles. Tokens are kept only as SHA-256 digests so that the
 * lookup's timing says nothing about a token's characters. With no tokens configured every
 * request is `admin` (the server then only listens on loopback unless `insecure`).
 */
export class Authenticator {
  private readonly roles = new Map<string, Role>();

  constructor(tokens: Record<string, Role>) {
    for (const [token, role] of Object.entries(tokens)) this.roles.set(digest(token), role);
  }

  /** True when tokens are configured. */
  get enabled(): boolean {
    return this.roles.size > 0;
  }

  /**
   * The role of a presented token.
   * @throws ProtocolError `unauthorized` when tokens are configured and the token is absent or unknown.
   */
  identify(token: string | undefined): Role {
    if (!this.enabled) return 'admin';
    if (token === undefined) throw new ProtocolError('unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
    const role = this.roles.get(digest(token));
    if (!role) throw new ProtocolError('unauthorized', 'the bearer token is not valid');
    return role;
  }

  /**
   * Checks that `role` grants `access`.
   * @throws ProtocolError `forbidden` naming the role needed.
   */
  static require(role: Role, access: Access, what: string): void {
    if (access === 'public' || ROLES.indexOf(role) >= ROLES.indexOf(access)) return;
    throw new ProtocolError('forbidden', `${what} needs the ${access} role; this token has ${role}`);
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header (undefined when absent).
 * @throws ProtocolError `unauthorized` when the header uses another scheme.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new ProtocolError('unauthorized', 'the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * Checks every HTTP request against its route's `config.access` before anything else runs
 * (unknown URLs pass through to the 404 handler).
 */
export function installAuth(app: FastifyInstance, auth: Authenticator): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const role = auth.identify(bearerToken(request.headers.authorization));
    Authenticator.require(role, access, `${request.method} ${request.routeOptions.url}`);
  });
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}
