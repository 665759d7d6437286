import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Helmet's security headers with a Content-Security-Policy the web console, Swagger UI at /docs
 * and the printable reports pass: scripts and everything fetched from this origin only; inline
 * styles allowed (the reports' <style>, shown in the console's srcdoc frame); images also as data:
 * and blob: URLs. No upgrade-insecure-requests: the API is served over plain HTTP on a LAN (a TLS
 * proxy in front is the deployment's choice), where upgrading would break every fetch.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'frame-ancestors': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
  });
}
