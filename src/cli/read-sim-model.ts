import { readFile } from 'node:fs/promises';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { parseSimModel, type SimModel } from '../sim/sim-model.js';

/** Reads `--simulator FILE`: a model `recgym sim fit` wrote; an unreadable file, bad JSON or a bad field is one RecGymError naming the file (`label`, and the field). */
export async function readSimModel(path: string, label = `--simulator ${path}`): Promise<SimModel> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RecGymError(ErrorCode.FILE_NOT_FOUND, `${label}: expected a readable JSON file, actual ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `${label}: expected the JSON of recgym sim fit, actual ${(error as Error).message}`);
  }
  return parseSimModel(value, label);
}
