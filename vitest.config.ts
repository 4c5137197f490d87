import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Workspace packages resolve to their TypeScript sources in tests, so unit tests need no build.
// Cross-package tests in tests/ that spawn processes use the built dist/ (pnpm install builds it).
const alias = {
  "@aws-syslog/record": src("record"),
  "@aws-syslog/receiver": src("receiver"),
  "@aws-syslog/forwarder": src("forwarder"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "infra/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["tests/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Interop tests start real daemons and bind ports; one file at a time keeps the
          // 2-core CI machine from starving the daemons under test.
          fileParallelism: false,
        },
      },
    ],
  },
});
