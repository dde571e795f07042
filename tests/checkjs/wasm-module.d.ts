// For tsc --checkJs (tsconfig.checkjs.json): workerd.js and deno.js import the .wasm as a module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
