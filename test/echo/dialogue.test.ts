import { describe, expect, test } from "bun:test";
import { answer, isEndOfDialogue, welcome } from "../../src/echo/dialogue.ts";
import { decodeText, encodeText } from "../../src/shared/lines.ts";

describe("dialogue", () => {
  test("welcome is the lab's greeting followed by the first prompt", () => {
    expect(decodeText(welcome("127.0.0.1", 2003))).toBe(
      "Vous êtes connecté au serveur 127.0.0.1:2003.\nVotre message ?\n",
    );
    expect(decodeText(welcome("::1", 2003))).toContain("serveur [::1]:2003.");
  });

  test("a message is echoed exactly as sent, line end included, then the prompt", () => {
    for (const msg of ["salut\n", "ça va ?\r\n", "  spaced  \n", "\u0000bin\u00ff\n"]) {
      const reply = answer(encodeText(msg));
      expect(reply.kind).toBe("echo");
      expect(decodeText(reply.bytes)).toBe(`ECHO : ${msg}Votre message ?\n`);
    }
  });

  test("invalid UTF-8 is echoed byte for byte", () => {
    const raw = new Uint8Array([0xff, 0xfe, 0xc3, 0x0a]);
    const reply = answer(raw);
    expect(Array.from(reply.bytes.subarray(7, 11))).toEqual([0xff, 0xfe, 0xc3, 0x0a]);
  });

  test("FIN in any case with blanks around, or a blank line, says Good Bye. (no line end)", () => {
    for (const end of [
      "FIN\n",
      "fin\r\n",
      "  Fin \t\n",
      "\n",
      "\r\n",
      "   \n",
      "\u00a0FIN\u00a0\n",
      "\u3000\n",
    ]) {
      expect(isEndOfDialogue(encodeText(end))).toBe(true);
      const reply = answer(encodeText(end));
      expect(reply.kind).toBe("goodbye");
      expect(decodeText(reply.bytes)).toBe("Good Bye.");
    }
  });

  test("words that merely contain FIN are echoed", () => {
    for (const msg of ["FINI\n", "fin fin\n", "F IN\n", "afin\n", "FIN.\n", "é\n"]) {
      expect(isEndOfDialogue(encodeText(msg))).toBe(false);
    }
  });
});
