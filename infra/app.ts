// The CDK app (cdk.json: "npx tsx infra/app.ts"). The CLI synthesises it when the process exits.
import { createRecontactApp } from "./recontact-app.ts";

createRecontactApp();
