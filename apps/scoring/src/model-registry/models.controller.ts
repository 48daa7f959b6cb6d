import { Controller, Get, Header, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { getVersion, listVersions } from '../persistence/model-registry';
import { ScoringRuntime } from '../scoring-runtime';

/** The model registry over HTTP: list, read a version and its card, retrain now, promote by hand. */
@Controller('models')
export class ModelsController {
  constructor(private readonly runtime: ScoringRuntime) {}

  @Get()
  async list() {
    return { champion: this.runtime.serving.champion?.version ?? null, challenger: this.runtime.serving.challenger?.version ?? null, versions: await listVersions(this.runtime.pool) };
  }

  @Post('retrain')
  @HttpCode(200)
  retrain() {
    return this.runtime.training.retrain('on-demand');
  }

  @Get(':version')
  async get(@Param('version') version: string) {
    const found = await getVersion(this.runtime.pool, version);
    if (!found) throw new NotFoundException(`no model version ${version}`);
    return found;
  }

  @Get(':version/card')
  @Header('content-type', 'text/markdown; charset=utf-8')
  async card(@Param('version') version: string) {
    const found = await getVersion(this.runtime.pool, version);
    if (!found) throw new NotFoundException(`no model version ${version}`);
    return found.modelCard;
  }

  @Post(':version/promote')
  @HttpCode(200)
  async promote(@Param('version') version: string) {
    if (!(await this.runtime.training.promote(version))) throw new NotFoundException(`no model version ${version}`);
    return { champion: version };
  }
}
