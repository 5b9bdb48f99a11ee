import { Controller, Get, NotFoundException, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Public } from '../auth/public.decorator';
import { contentSecurityPolicy } from '../http/content-security-policy';
import { PatientRouteThrottle } from '../patients/patient-route-throttler.guard';

/** Built by scripts/build.mjs beside the compiled API: dist/apps/api/web. */
const WEB_ROOT = path.resolve(__dirname, '../../web');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

interface Asset {
  body: Buffer;
  type: string;
}

function loadAssets(dir: string, prefix = ''): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const [name, asset] of loadAssets(path.join(dir, entry.name), `${prefix}${entry.name}/`)) assets.set(name, asset);
    } else if (TYPES[path.extname(entry.name)]) {
      assets.set(`${prefix}${entry.name}`, { body: readFileSync(path.join(dir, entry.name)), type: TYPES[path.extname(entry.name)] });
    }
  }
  return assets;
}

/** The page's only inline script is its import map; the policy allows exactly that script by its hash. */
function pagePolicy(html: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  return contentSecurityPolicy({ script: `'self' 'sha256-${hash}'`, style: "'self'" });
}

/**
 * The doctor's web page: static files read once at start-up from a fixed folder and served by name, so
 * no request path ever reaches the file system. The page itself is public; every call it makes for
 * patient data goes through the API's bearer-token checks like any other client.
 */
@ApiExcludeController()
@Controller()
export class WebAppController {
  private readonly assets = loadAssets(WEB_ROOT);
  private readonly policy = pagePolicy(this.assets.get('index.html')?.body.toString() ?? '');

  @Public()
  @Get()
  @Redirect('/app', 302)
  home(): void {}

  /** `/app` and `/app/` alike: the page links its files by absolute path, so either works. */
  @Public()
  @Get('app')
  index(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  /** The patient's own page, reached by the signed link in their reminders: the same page, which shows the patient view at /p/<token>. */
  @Public()
  @PatientRouteThrottle()
  @Get('p/:token')
  patientPage(@Res() reply: FastifyReply): void {
    this.send(reply, 'index.html');
  }

  @Public()
  @Get('app/:file')
  file(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.send(reply, file);
  }

  @Public()
  @Get('app/vendor/:file')
  vendor(@Param('file') file: string, @Res() reply: FastifyReply): void {
    this.send(reply, `vendor/${file}`);
  }

  private send(reply: FastifyReply, name: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`no such file: ${name}`);
    void reply
      .header('content-type', asset.type)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', this.policy)
      .send(asset.body);
  }
}
