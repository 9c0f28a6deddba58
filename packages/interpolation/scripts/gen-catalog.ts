// Regenerates the reference table in README.md from src/reference-catalog.json and the registry.
import { readFileSync, writeFileSync } from "node:fs";
import { createEnvironment } from "../src/environment.js";
import { renderCatalogTable, withCatalogTable } from "../test/catalog-table.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
writeFileSync(path, withCatalogTable(readme, renderCatalogTable(createEnvironment({ env: {} }))));
