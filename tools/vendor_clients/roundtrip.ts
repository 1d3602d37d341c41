import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { Declaration } from "./models/Declaration";
import { StatusEvent } from "./models/StatusEvent";
import { SubmissionRefused } from "./models/SubmissionRefused";

const models: Record<string, { unmarshal(json: string | object): { marshal(): string } }> = {
  Declaration,
  StatusEvent,
  SubmissionRefused,
};

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

const examples: { message: string; name: string; payload: object }[] = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failures = 0;
for (const { message, name, payload } of examples) {
  const again = JSON.parse(models[message].unmarshal(JSON.stringify(payload)).marshal());
  const same = isDeepStrictEqual(withoutNulls(payload), withoutNulls(again));
  console.log(`${same ? "same" : "DIFFERENT"} ${message} ${name}`);
  if (!same) {
    failures++;
    console.log(`  in:  ${JSON.stringify(payload)}\n  out: ${JSON.stringify(again)}`);
  }
}
process.exit(failures === 0 ? 0 : 1);
