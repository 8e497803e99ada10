// Tests run lit-html's development build for its extra checks; its "dev mode" banner is expected.
(globalThis as { litIssuedWarnings?: Set<string> }).litIssuedWarnings = new Set(['dev-mode']);
