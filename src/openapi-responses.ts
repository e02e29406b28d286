import { HttpStatus, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { ApiResponse } from '@nestjs/swagger';

type ControllerMetadata = [Promise<Record<string, unknown>>, Record<string, Record<string, { type?: unknown }>>][];
/** Where @nestjs/swagger keeps a handler's documented responses (DECORATORS.API_RESPONSE; its package exports no constants). */
const API_RESPONSE = 'swagger/apiResponse';

/**
 * The success response of every operation, from the plugin metadata, where the operation lacks it.
 * `nest build` applies the Swagger plugin, which decorates each handler with its success
 * response; code run without it (the tests, a server compiled by tsc) loads the same metadata
 * through `SwaggerModule.loadPluginMetadata`, which skips the success response of any handler
 * that already documents another response (a 404, a 409): the document then had 36 operations
 * without a 2xx answer. A no-op after `nest build`.
 */
export async function addSuccessResponses(metadata: () => Promise<Record<string, unknown>>): Promise<void> {
  const plugin = (await metadata())['@nestjs/swagger'] as { controllers?: ControllerMetadata } | undefined;
  for (const [file, classes] of plugin?.controllers ?? []) {
    const module = await file;
    for (const [className, methods] of Object.entries(classes)) {
      const prototype = (module[className] as { prototype: Record<string, unknown> } | undefined)?.prototype;
      if (!prototype) continue;
      for (const [name, method] of Object.entries(methods)) {
        const handler = prototype[name];
        if (typeof handler !== 'function') continue;
        const status = successStatus(handler);
        const responses = Reflect.getMetadata(API_RESPONSE, handler) as Record<string, unknown> | undefined;
        if (responses?.[status] !== undefined) continue;
        const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
        ApiResponse({ status, ...(method.type === undefined ? {} : { type: method.type as never }) })(
          prototype,
          name,
          descriptor,
        );
      }
    }
  }
}

function successStatus(handler: object): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
  if (code !== undefined) return code;
  return Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST ? HttpStatus.CREATED : HttpStatus.OK;
}
