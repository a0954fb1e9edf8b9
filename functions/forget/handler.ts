import { z } from "zod";
import { hashingRuntimeFromEnv, type HashingRuntime } from "../../lib/adapters/runtime.ts";
import { customerKeysOfRaw, forgetCustomer, type ForgetResult } from "../../lib/use-cases/forget-customer.ts";

/**
 * `{ "customerId": "+31 6 1234 5678" }` (hashed here, as at ingest) or `{ "customerKey": "<64 hex>" }`
 * (when only the key is known, e.g. from contacts.jsonl). Invoked by an operator
 * (`aws lambda invoke`); the raw identifier is never logged or returned.
 */
export const ForgetEventSchema = z.union([
  z.object({ customerId: z.string().trim().min(1) }).strict(),
  z.object({ customerKey: z.string().regex(/^[0-9a-f]{64}$/, "expected the 64 hex digits of a customer key") }).strict(),
]);

export function createForgetHandler(runtime: HashingRuntime) {
  return async (event: unknown): Promise<ForgetResult> => {
    const request = ForgetEventSchema.parse(event);
    const customerKeys = "customerKey" in request ? [request.customerKey] : customerKeysOfRaw(request.customerId, runtime);
    try {
      return await forgetCustomer(customerKeys, runtime);
    } finally {
      runtime.metrics.flush();
    }
  };
}

// Lambda entry: clients and the hashing secret are read at init, once per container.
const lambdaHandler = process.env.AWS_LAMBDA_FUNCTION_NAME ? createForgetHandler(await hashingRuntimeFromEnv(process.env)) : undefined;

export const handler = async (event: unknown): Promise<ForgetResult> =>
  (lambdaHandler ?? createForgetHandler(await hashingRuntimeFromEnv(process.env)))(event);
