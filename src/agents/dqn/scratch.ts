/** Named typed arrays grown on demand, owned by one learner (tensors get copies: the CPU backend keeps a typed array by reference). */
export class Scratch {
  readonly #f32 = new Map<string, Float32Array>();
  readonly #i32 = new Map<string, Int32Array>();

  float(name: string, size: number): Float32Array {
    let a = this.#f32.get(name);
    if (!a || a.length < size) this.#f32.set(name, (a = new Float32Array(size)));
    return a;
  }

  int(name: string, size: number): Int32Array {
    let a = this.#i32.get(name);
    if (!a || a.length < size) this.#i32.set(name, (a = new Int32Array(size)));
    return a;
  }
}
