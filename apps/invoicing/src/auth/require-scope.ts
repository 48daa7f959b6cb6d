import {
  applyDecorators,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { INVOICING_CONFIG } from '../tokens';
import type { InvoicingConfig } from '../config';
import { verifyApiKey, type ApiKey, type Scope } from './api-keys';

export const API_KEY_SECURITY = 'apiKey';
const REQUIRED_SCOPE = Symbol('invoicing:required-scope');

/** The authenticated client of a request: its key's name and scopes (never the key). */
export interface Principal {
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** The parts of an HTTP request the guard reads (structurally typed: no express typings needed). */
export interface HttpRequestLike {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  principal?: Principal;
}

type AuthenticatedRequest = HttpRequestLike;

function presentedKey(request: HttpRequestLike): string | undefined {
  const authorization = request.headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    return match?.[1];
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

/**
 * 401 without a valid key, 403 when the key lacks the route's scope. Applied per route by
 * `RequireScope`, so the platform's health endpoints stay open.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(INVOICING_CONFIG) private readonly config: InvoicingConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [context.getHandler(), context.getClass()]);
    if (scope === undefined) throw new Error('a route guarded by ApiKeyGuard must declare its scope with @RequireScope');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = presentedKey(request);
    const key: ApiKey | undefined = presented === undefined ? undefined : verifyApiKey(this.config.apiKeys, presented);
    if (!key) {
      context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', 'Bearer realm="invoicing"');
      throw new UnauthorizedException({
        statusCode: 401,
        code: 'unauthenticated',
        reason: presented === undefined ? 'send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"' : 'the API key is not valid',
      });
    }
    if (!key.scopes.has(scope)) {
      throw new ForbiddenException({ statusCode: 403, code: 'forbidden', reason: `this route needs the '${scope}' scope; the key '${key.name}' has ${[...key.scopes].join(', ')}` });
    }
    request.principal = { name: key.name, scopes: key.scopes };
    return true;
  }
}

/** Declares the scope a route needs: enforced by ApiKeyGuard and documented in the OpenAPI document. */
export const RequireScope = (scope: Scope) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(ApiKeyGuard),
    ApiSecurity(API_KEY_SECURITY, [scope]),
    ApiUnauthorizedResponse({ description: 'No API key, or not a valid one.' }),
    ApiForbiddenResponse({ description: `The API key lacks the '${scope}' scope.` }),
  );

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new UnauthorizedException({ statusCode: 401, code: 'unauthenticated', reason: 'no principal' });
  return principal;
});
