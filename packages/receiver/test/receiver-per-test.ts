import { afterEach, beforeAll } from "vitest";
import type { TestReceiver } from "./harness.js";
import { makePki, type Pki } from "./pki.js";

export interface ReceiverPerTest {
  /** Made once for the file (openssl is slow). */
  readonly pki: Pki;
  /** The test's receiver: stopped after each test unless the test stopped it and cleared this. */
  rx: TestReceiver | undefined;
}

/** Registers the socket tests' lifecycle: a PKI before all tests, the receiver stopped after each. */
export function receiverPerTest(): ReceiverPerTest {
  let pki: Pki | undefined;
  const t: ReceiverPerTest = {
    get pki(): Pki {
      if (pki === undefined) throw new Error("the PKI is made in beforeAll: use it inside a test or hook");
      return pki;
    },
    rx: undefined,
  };
  beforeAll(() => {
    pki = makePki();
  });
  afterEach(async () => {
    await t.rx?.handle.stop();
    t.rx = undefined;
  });
  return t;
}
