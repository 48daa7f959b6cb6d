import { BadRequestException, Body, ConflictException, Controller, Get, Inject, Put, ServiceUnavailableException, type Type } from '@nestjs/common';
import { ClockBackwardsError, InvalidInstantError } from './clock';
import { parseInstant } from './clock-config';
import { ClockNotSimulatedError, type AdvanceResult, type Quiescence, SimulationControl } from './simulation-control';

/** `now` of a JSON body, parsed already or (services that read bodies as text) not yet. */
function nowOf(body: unknown): unknown {
  let value = body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null ? (value as { now?: unknown }).now : undefined;
}

/** The default injection token under which a service provides its SimulationControl. */
export const SIMULATION_CONTROL = Symbol('SIMULATION_CONTROL');

export interface SimulatedTimeControllerOptions {
  /** Token of the SimulationControl provider (default SIMULATION_CONTROL). */
  readonly control?: string | symbol;
  /** Applied to the controller class, e.g. the service's operator-key guard and its OpenAPI security. */
  readonly decorators?: readonly ClassDecorator[];
}

/**
 * The one controller of simulated time, for every service (docs/simulated-time.md):
 * `GET /admin/clock`, `PUT /admin/clock` and `GET /admin/quiescence`. A service registers the class
 * this returns in its module's `controllers` and provides its SimulationControl under the token.
 */
export function createSimulatedTimeController(options: SimulatedTimeControllerOptions = {}): Type<unknown> {
  const token = options.control ?? SIMULATION_CONTROL;

  @Controller('admin')
  class SimulatedTimeController {
    constructor(@Inject(token) private readonly control: SimulationControl) {}

    @Get('clock')
    clock(): { mode: string; now: string } {
      return { mode: this.control.mode, now: this.control.now().toISOString() };
    }

    @Put('clock')
    async setClock(@Body() body: unknown): Promise<AdvanceResult> {
      if (this.control.mode !== 'simulated') throw new ConflictException(new ClockNotSimulatedError().message);
      let to: Date;
      try {
        to = parseInstant(nowOf(body));
      } catch (error) {
        throw new BadRequestException(`body must be {"now": "<ISO 8601 instant>"}: ${(error as Error).message}`);
      }
      try {
        return await this.control.advanceTo(to);
      } catch (error) {
        if (error instanceof ClockBackwardsError || error instanceof ClockNotSimulatedError) throw new ConflictException(error.message);
        if (error instanceof InvalidInstantError) throw new BadRequestException(error.message);
        throw error;
      }
    }

    @Get('quiescence')
    async quiescence(): Promise<Quiescence> {
      try {
        return await this.control.quiescence();
      } catch (error) {
        throw new ServiceUnavailableException(`a quiescence probe failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  for (const decorator of options.decorators ?? []) decorator(SimulatedTimeController);
  return SimulatedTimeController;
}
