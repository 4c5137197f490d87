// @peculiar/x509 resolves its services through tsyringe, which throws at import unless a
// Reflect metadata polyfill is loaded first; ES modules evaluate imports in order, so this
// line must stay above the x509 import. Everything in certs/ imports x509 from here.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { webcrypto } from "node:crypto";

// Node's own WebCrypto (globalThis.crypto since Node 19): no extra crypto dependency.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509, webcrypto };
