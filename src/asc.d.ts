// What scripts/asc_plugin.ts makes of `import bytes from '…/x.ts?asc'`.
declare module '*.ts?asc' {
  const bytes: Uint8Array;
  export default bytes;
}
