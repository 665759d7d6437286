import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, oidcRedirectUrl, requireServices } from '../../libs/shared/config';

describe('configuration from the environment', () => {
  it('has working defaults for every variable', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'duban-obligations',
      DUBAN_DATA_DIR: path.resolve('.data'),
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('names each bad variable and why', () => {
    const bad = () => loadConfig({ PORT: 'eighty', TEMPORAL_ADDRESS: 'localhost', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT: .*number/);
    expect(bad).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    expect(bad).toThrow(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(() => loadConfig({ DUBAN_ADMIN_TOKEN: 'short' })).toThrow(/DUBAN_ADMIN_TOKEN: must be at least 16/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ DUBAN_BULLETIN_DAY: '31' })).toThrow(/DUBAN_BULLETIN_DAY/);
    expect(() => loadConfig({ DUBAN_WORKFLOW_CACHE: '-1' })).toThrow(/DUBAN_WORKFLOW_CACHE/);
    expect(loadConfig({ DUBAN_WORKFLOW_CACHE: '500' }).DUBAN_WORKFLOW_CACHE).toBe(500);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', TEMPORAL_ADDRESS: '' }).PORT).toBe(3000);
  });

  it('requires both servers for a process that starts none of its own', () => {
    expect(() => requireServices(loadConfig({ DATABASE_URL: 'postgres://h/db' }))).toThrow(
      /TEMPORAL_ADDRESS: required/,
    );
    const c = requireServices(loadConfig({ DATABASE_URL: 'postgres://h/db', TEMPORAL_ADDRESS: 'temporal:7233' }));
    expect(c.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });
  it('turns single sign-on on only complete, over https (http on loopback only), with its callback derived', () => {
    expect(loadConfig({}).DUBAN_OIDC_ISSUER).toBeUndefined();
    expect(oidcRedirectUrl(loadConfig({}))).toBeUndefined();
    expect(() => loadConfig({ DUBAN_OIDC_ISSUER: 'https://idp.example.gov.cn' })).toThrow(
      /DUBAN_OIDC_CLIENT_ID: required.*DUBAN_OIDC_CLIENT_SECRET: required.*DUBAN_OIDC_REDIRECT_URL: required/,
    );
    const sso = {
      DUBAN_OIDC_CLIENT_ID: 'duban',
      DUBAN_OIDC_CLIENT_SECRET: 's',
      DUBAN_PUBLIC_URL: 'https://duban.example.gov.cn',
    };
    expect(() => loadConfig({ ...sso, DUBAN_OIDC_ISSUER: 'http://idp.example.gov.cn' })).toThrow(
      /DUBAN_OIDC_ISSUER: must be https/,
    );
    const c = loadConfig({ ...sso, DUBAN_OIDC_ISSUER: 'http://localhost:9000' });
    expect(oidcRedirectUrl(c)).toBe('https://duban.example.gov.cn/v1/sessions/oidc/callback');
    expect(c.DUBAN_OIDC_USERNAME_CLAIM).toBe('preferred_username');
    expect(() => loadConfig({ ...sso, DUBAN_OIDC_ISSUER: 'https://idp', DUBAN_OIDC_SCOPE: 'profile' })).toThrow(
      /DUBAN_OIDC_SCOPE: must include openid/,
    );
  });
});
