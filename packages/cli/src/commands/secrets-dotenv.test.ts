import dotenv from "dotenv";
import { describe, expect, it } from "vitest";
import { TRICKY_VALUES } from "../test-support/tricky-values.js";
import {
  DotenvError,
  DotenvValueError,
  parseDotenv,
  quoteDotenv,
  serializeDotenv,
} from "./secrets-dotenv.js";

describe("parseDotenv", () => {
  it("reads a file the way dotenv does: export, comments, quotes, multi-line values", () => {
    const text = [
      "# a comment",
      "",
      "export EXPORTED=yes",
      "PLAIN=value # trailing comment",
      "TIGHT=a#b",
      "  INDENTED = spaced  ",
      "SINGLE='literal \\n $HOME # kept'",
      'DOUBLE="newline\\nand \\t kept"',
      'MULTI="first',
      'second"',
      'BACKTICK=`it\'s "both"`',
      "EMPTY=",
      "EMPTY_QUOTED=''",
      "SINGLE_MULTI='a",
      "b'",
      "DUP=first",
      "DUP=second",
      "windows=1\r",
      "not a pair",
    ].join("\n");
    expect(Object.fromEntries(parseDotenv(text))).toEqual({
      EXPORTED: "yes",
      PLAIN: "value",
      // dotenv ends an unquoted value at #, as every tool reading the file with it does.
      TIGHT: "a",
      INDENTED: "spaced",
      SINGLE: "literal \\n $HOME # kept",
      // In double quotes only \n and \r are escapes.
      DOUBLE: "newline\nand \\t kept",
      MULTI: "first\nsecond",
      BACKTICK: `it's "both"`,
      EMPTY: "",
      EMPTY_QUOTED: "",
      SINGLE_MULTI: "a\nb",
      DUP: "second",
      windows: "1",
    });
  });

  it("names the line of a quote that is never closed, which dotenv would keep in the value", () => {
    expect(() => parseDotenv("A=1\nB='open\nC=3")).toThrow(
      new DotenvError(2, "the value of B has no closing '"),
    );
    expect(() => parseDotenv('A=1\n\nexport B = "open')).toThrow('line 3: the value of B has no closing "');
    // A value that starts with a quote inside other quotes is fine.
    expect(parseDotenv(`A="'x"\nB='"y'`)).toEqual([
      ["A", "'x"],
      ["B", '"y'],
    ]);
  });
});

describe("serializeDotenv", () => {
  it("round-trips every tricky value through dotenv", () => {
    const entries = Object.entries(TRICKY_VALUES);
    const text = serializeDotenv(entries, "exported by a test");
    expect(text.startsWith("# exported by a test\n")).toBe(true);
    expect(parseDotenv(text)).toEqual(entries);
    expect(dotenv.parse(text)).toEqual(TRICKY_VALUES);
  });

  it("writes random text so that dotenv reads it back exactly, or refuses it", () => {
    const alphabet = [
      "a",
      "Z",
      "0",
      " ",
      "\t",
      "\n",
      "\r",
      '"',
      "'",
      "`",
      "\\",
      "#",
      "=",
      "$",
      "é",
      "🔑",
      "n",
      "r",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    let refused = 0;
    for (let i = 0; i < 500; i++) {
      const length = Math.floor(random() * 12);
      const value = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      let text: string;
      try {
        text = serializeDotenv([["V", value]]);
      } catch (error) {
        // Only a value no .env form can hold: all three quote characters, or a \r with a literal \n or \r.
        expect(error).toBeInstanceOf(DotenvValueError);
        refused++;
        continue;
      }
      expect(parseDotenv(text)).toEqual([["V", value]]);
      expect(dotenv.parse(text)).toEqual({ V: value });
    }
    // Most values have a form; the check above is not vacuous.
    expect(refused).toBeLessThan(100);
  });

  it("writes the plainest form", () => {
    expect(quoteDotenv("sk_live_123")).toBe("sk_live_123");
    expect(quoteDotenv("a b")).toBe("'a b'");
    expect(quoteDotenv("")).toBe("''");
    expect(quoteDotenv("it's")).toBe('"it\'s"');
    expect(quoteDotenv('say "hi"')).toBe("'say \"hi\"'");
    expect(quoteDotenv("a#b")).toBe("'a#b'");
    expect(() => quoteDotenv(`'"\``, "ALL_QUOTES")).toThrow(/ALL_QUOTES cannot be written as \.env/);
    expect(quoteDotenv("a\nb")).toBe('"a\\nb"');
  });
});
