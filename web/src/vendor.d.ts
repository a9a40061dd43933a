// Mediabunny's ES module bundle is served from the page's own origin
// (tools/assemble.mjs copies it to dist/js/vendor); its types are the npm
// package's.
declare module "*/vendor/mediabunny.mjs" {
  export * from "mediabunny";
}
