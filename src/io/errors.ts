// The error of a file that cannot be loaded: damaged, of another kind, or describing something
// other than what its tensors hold. The message starts with the file (or the name given to the
// loader) and names the key or the tensor at fault.

/** A checkpoint, export or safetensors file that was refused; `message` = "<file>: <what is wrong>". */
export class FileFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FileFormatError";
  }
}
