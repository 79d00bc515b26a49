// Validates Kubernetes manifests (a multi-document YAML stream on stdin or
// in the files named) against the Kubernetes OpenAPI schemas that npm's
// kubernetes-models compiles: wrong types, missing required fields, bad
// formats. Field names it does not know pass here; field-names.py catches
// them. Exit 1 with one line per problem.
"use strict";
const fs = require("fs");
const YAML = require("yaml");

// apiVersion -> the module of kubernetes-models that holds its kinds.
function modelFor(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  const path =
    slash < 0
      ? `kubernetes-models/${apiVersion}`
      : `kubernetes-models/${apiVersion.slice(0, slash)}/${apiVersion.slice(slash + 1)}`;
  let module;
  try {
    module = require(path);
  } catch (e) {
    return null;
  }
  return module[kind] || null;
}

let problems = 0;
let checked = 0;
const inputs = process.argv.slice(2);
const texts = inputs.length
  ? inputs.map((f) => [f, fs.readFileSync(f, "utf8")])
  : [["<stdin>", fs.readFileSync(0, "utf8")]];
for (const [file, text] of texts) {
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length) {
      console.log(`${file}: YAML: ${doc.errors[0].message}`);
      problems++;
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    const where = `${file}: ${object.kind}/${(object.metadata || {}).name}`;
    const Model = modelFor(String(object.apiVersion), String(object.kind));
    if (Model === null) {
      console.log(`${where}: unknown apiVersion/kind ${object.apiVersion} ${object.kind}`);
      problems++;
      continue;
    }
    try {
      new Model(object).validate();
      checked++;
    } catch (e) {
      for (const error of e.errors || [e]) {
        const at = error.instancePath || "";
        const detail = error.params ? JSON.stringify(error.params) : "";
        console.log(`${where}${at}: ${error.message} ${detail}`);
        problems++;
      }
    }
  }
}
if (problems > 0) {
  console.log(`validate.js: ${problems} problem(s)`);
  process.exit(1);
}
console.log(`validate.js: ${checked} object(s) valid`);
