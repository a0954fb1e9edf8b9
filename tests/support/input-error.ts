import { InputError } from "../../lib/errors.ts";

/** Runs `fn` and returns the InputError it throws; any other outcome fails the test. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}
