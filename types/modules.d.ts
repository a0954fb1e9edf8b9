// natural's submodules have no type declarations of their own; importing them (rather than the
// package's main entry, which drags in database clients) keeps bundles small. See TOOLCHAIN.md.
declare module "natural/lib/natural/stemmers/porter_stemmer.js" {
  const stemmer: { stem(word: string): string };
  export default stemmer;
}
declare module "natural/lib/natural/stemmers/porter_stemmer_nl.js" {
  const stemmer: { stem(word: string): string };
  export default stemmer;
}
declare module "natural/lib/natural/classifiers/bayes_classifier.js" {
  class BayesClassifier {
    addDocument(text: string | string[], label: string): void;
    train(): void;
    classify(text: string | string[]): string;
  }
  export default BayesClassifier;
}

declare module "dynalite" {
  import type { Server } from "node:http";
  function dynalite(options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; path?: string }): Server;
  export default dynalite;
}
declare module "s3rver" {
  import type { EventEmitter } from "node:events";
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    configureBuckets?: { name: string; configs?: unknown[] }[];
  }
  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<unknown>;
    close(): Promise<void>;
  }
  export default S3rver;
}
