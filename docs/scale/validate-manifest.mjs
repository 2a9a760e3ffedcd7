// Check tp-scan-indexed-job.yaml against the Kubernetes schemas (docs/scale.md):
//   mkdir /tmp/k8s && cd /tmp/k8s && npm install kubernetes-models@5.1.0 yaml@2.9.1
//   cp .../docs/scale/validate-manifest.mjs . && node validate-manifest.mjs .../tp-scan-indexed-job.yaml
// Validate each document of a manifest against the Kubernetes JSON schemas that
// kubernetes-models ships: types, required fields and allowed values (an unknown field name
// passes: docs/scale.md reviews the manifest line by line for those).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
const kinds = { Job, PersistentVolumeClaim };
let bad = 0;
for (const doc of parseAllDocuments(readFileSync(process.argv[2], "utf8"))) {
  if (doc.errors.length) { console.log("YAML error", doc.errors); bad++; continue; }
  const obj = doc.toJS();
  const Model = kinds[obj.kind];
  if (!Model) { console.log(`no model for ${obj.kind}`); bad++; continue; }
  try { new Model(obj).validate(); console.log(`ok: ${obj.kind} ${obj.metadata.name}`); }
  catch (e) { bad++; console.log(`INVALID ${obj.kind} ${obj.metadata.name}: ${e.message}`); }
}
process.exit(bad ? 1 : 0);
