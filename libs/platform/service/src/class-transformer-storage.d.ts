// class-transformer ships its metadata storage as `cjs/storage` with the types beside it in `types/`.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
