// The official Microsoft Graph beta SDK models (Kiota) parse what the service answers: every
// response below comes from a real server, goes through the SDK's own discriminator factories
// and JsonParseNode, and must arrive typed (Date for DateTimeOffset, number for Int32, Duration
// for Duration, enum strings the SDK knows) with nothing left over in additionalData except the
// OData annotations Kiota has no field for (`@odata.context` and `<nav>@odata.context`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Duration } from '@microsoft/kiota-abstractions';
import type { Parsable, ParsableFactory } from '@microsoft/kiota-abstractions';
import { JsonParseNode, JsonParseNodeFactory } from '@microsoft/kiota-serialization-json';
import type {
  LongRunningOperation,
  RedundantAssignmentAlertConfiguration,
  RedundantAssignmentAlertIncident,
  SequentialActivationRenewalsAlertConfiguration,
  SequentialActivationRenewalsAlertIncident,
  StaleSignInAlertConfiguration,
  StaleSignInAlertIncident,
  TooManyGlobalAdminsAssignedToTenantAlertConfiguration,
  TooManyGlobalAdminsAssignedToTenantAlertIncident,
  UnifiedRoleManagementAlert,
  UnifiedRoleManagementAlertConfiguration,
  UnifiedRoleManagementAlertDefinition,
  UnifiedRoleManagementAlertIncident,
  InvalidLicenseAlertIncident,
  NoMfaOnRoleActivationAlertIncident,
  RolesAssignedOutsidePrivilegedIdentityManagementAlertIncident,
} from '@microsoft/msgraph-beta-sdk/models/index.js';
import type { LongRunningOperationCollectionResponse, UnifiedRoleManagementAlertIncidentCollectionResponse } from '@microsoft/msgraph-beta-sdk/models/index.js';
import {
  createLongRunningOperationCollectionResponseFromDiscriminatorValue,
  createUnifiedRoleManagementAlertIncidentCollectionResponseFromDiscriminatorValue,
  createLongRunningOperationFromDiscriminatorValue,
  createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
  createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue,
  createUnifiedRoleManagementAlertFromDiscriminatorValue,
  createUnifiedRoleManagementAlertIncidentFromDiscriminatorValue,
} from '@microsoft/msgraph-beta-sdk/models/index.js';
import type { AzureDataLakeConnector, FileValidateOperation } from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import { createIndustryDataConnectorFromDiscriminatorValue } from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import { ALERT_NAMES } from '../../src/families/roleManagementAlerts/model.js';
import { backends } from '../support/backends.js';
import type { ClientSuite, Json } from './support.js';
import { ALERTS_ROOT, alertId, createConnector, INDUSTRY_ROOT, refreshAll, SCOPE, startClientSuite, upload, uploadSessionPath } from './support.js';

/** Every additionalData key anywhere in a parsed model, with its path. */
function leftovers(value: unknown, path = '$', out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v, i) => leftovers(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Duration)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'additionalData') for (const key of Object.keys(v as object)) out.push(`${path}.${key}`);
      else leftovers(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Parses one entity with the SDK; only the annotations named may be left in additionalData. */
function parse<T extends Parsable>(text: string, factory: ParsableFactory<T>, annotations: string[] = ['$.@odata.context']): T {
  const model = new JsonParseNode(JSON.parse(text)).getObjectValue(factory);
  assert.deepEqual(leftovers(model).sort(), [...annotations].sort(), 'only OData annotations are left untyped');
  return model;
}

/** Parses a collection response's `value` with the SDK. */
function parseValues<T extends Parsable>(text: string, factory: ParsableFactory<T>): T[] {
  const root = new JsonParseNode(JSON.parse(text));
  const items = root.getChildNode('value')!.getCollectionOfObjectValues(factory)!;
  assert.deepEqual(leftovers(items), [], 'collection items carry nothing untyped');
  return items;
}

const isDate = (d: unknown, what: string) => {
  assert.ok(d instanceof Date, `${what} is a Date`);
  assert.ok(!Number.isNaN(d.getTime()), `${what} is a valid Date`);
};
const isDuration = (d: unknown, what: string) => assert.ok(d instanceof Duration, `${what} is a Duration (got ${JSON.stringify(d)})`);
const isInt = (n: unknown, what: string) => assert.ok(Number.isInteger(n), `${what} is an integer (got ${JSON.stringify(n)})`);
const isText = (s: unknown, what: string) => assert.ok(typeof s === 'string' && s.length > 0, `${what} is a non-empty string`);

const CONFIG_TYPES: Record<string, string> = {
  InvalidLicenseAlert: 'invalidLicenseAlertConfiguration',
  NoMfaOnRoleActivationAlert: 'noMfaOnRoleActivationAlertConfiguration',
  RedundantAssignmentAlert: 'redundantAssignmentAlertConfiguration',
  RolesAssignedOutsidePimAlert: 'rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration',
  SequentialActivationRenewalsAlert: 'sequentialActivationRenewalsAlertConfiguration',
  StaleSignInAlert: 'staleSignInAlertConfiguration',
  TooManyGlobalAdminsAssignedToTenantAlert: 'tooManyGlobalAdminsAssignedToTenantAlertConfiguration',
};
const INCIDENT_TYPES: Record<string, string> = Object.fromEntries(
  Object.entries(CONFIG_TYPES).map(([k, v]) => [k, v.replace(/Configuration$/, 'Incident')]),
);

/** The subtype-specific checks of each configuration. */
function checkConfiguration(name: string, c: UnifiedRoleManagementAlertConfiguration) {
  assert.equal(c.odataType, `#microsoft.graph.${CONFIG_TYPES[name]}`);
  assert.equal(c.id, alertId(name));
  assert.equal(c.alertDefinitionId, alertId(name));
  assert.equal(c.scopeId, '/');
  assert.equal(c.scopeType, 'DirectoryRole');
  assert.equal(typeof c.isEnabled, 'boolean');
  if (name === 'RedundantAssignmentAlert') isDuration((c as RedundantAssignmentAlertConfiguration).duration, `${name}.duration`);
  if (name === 'StaleSignInAlert') isDuration((c as StaleSignInAlertConfiguration).duration, `${name}.duration`);
  if (name === 'SequentialActivationRenewalsAlert') {
    const s = c as SequentialActivationRenewalsAlertConfiguration;
    isInt(s.sequentialActivationCounterThreshold, 'sequentialActivationCounterThreshold');
    isDuration(s.timeIntervalBetweenActivations, 'timeIntervalBetweenActivations');
  }
  if (name === 'TooManyGlobalAdminsAssignedToTenantAlert') {
    const t = c as TooManyGlobalAdminsAssignedToTenantAlertConfiguration;
    isInt(t.globalAdminCountThreshold, 'globalAdminCountThreshold');
    isInt(t.percentageOfGlobalAdminsOutOfRolesThreshold, 'percentageOfGlobalAdminsOutOfRolesThreshold');
  }
}

/** The subtype-specific checks of each incident. */
function checkIncident(name: string, i: UnifiedRoleManagementAlertIncident) {
  assert.equal(i.odataType, `#microsoft.graph.${INCIDENT_TYPES[name]}`, `${name} incident type`);
  isText(i.id, `${name} incident id`);
  const assignee = (x: { assigneeDisplayName?: string | null; assigneeId?: string | null; assigneeUserPrincipalName?: string | null }) => {
    isText(x.assigneeDisplayName, `${name}.assigneeDisplayName`);
    isText(x.assigneeId, `${name}.assigneeId`);
    isText(x.assigneeUserPrincipalName, `${name}.assigneeUserPrincipalName`);
  };
  const role = (x: { roleDefinitionId?: string | null; roleDisplayName?: string | null; roleTemplateId?: string | null }, definition = true) => {
    if (definition) isText(x.roleDefinitionId, `${name}.roleDefinitionId`);
    isText(x.roleDisplayName, `${name}.roleDisplayName`);
    isText(x.roleTemplateId, `${name}.roleTemplateId`);
  };
  switch (name) {
    case 'InvalidLicenseAlert':
      isText((i as InvalidLicenseAlertIncident).tenantLicenseStatus, 'tenantLicenseStatus');
      break;
    case 'NoMfaOnRoleActivationAlert':
      role(i as NoMfaOnRoleActivationAlertIncident, false);
      break;
    case 'RedundantAssignmentAlert': {
      const r = i as RedundantAssignmentAlertIncident;
      assignee(r);
      role(r);
      if (r.lastActivationDateTime !== null && r.lastActivationDateTime !== undefined) isDate(r.lastActivationDateTime, 'lastActivationDateTime');
      break;
    }
    case 'RolesAssignedOutsidePimAlert': {
      const r = i as RolesAssignedOutsidePrivilegedIdentityManagementAlertIncident;
      assignee(r);
      role(r);
      isDate(r.assignmentCreatedDateTime, 'assignmentCreatedDateTime');
      break;
    }
    case 'SequentialActivationRenewalsAlert': {
      const r = i as SequentialActivationRenewalsAlertIncident;
      assignee(r);
      role(r);
      isInt(r.activationCount, 'activationCount');
      isDate(r.sequenceStartDateTime, 'sequenceStartDateTime');
      isDate(r.sequenceEndDateTime, 'sequenceEndDateTime');
      break;
    }
    case 'StaleSignInAlert': {
      const r = i as StaleSignInAlertIncident;
      assignee(r);
      role(r);
      isDate(r.assignmentCreatedDateTime, 'assignmentCreatedDateTime');
      if (r.lastSignInDateTime !== null && r.lastSignInDateTime !== undefined) isDate(r.lastSignInDateTime, 'lastSignInDateTime');
      break;
    }
    case 'TooManyGlobalAdminsAssignedToTenantAlert':
      assignee(i as TooManyGlobalAdminsAssignedToTenantAlertIncident);
      break;
    default:
      assert.fail(`unknown alert ${name}`);
  }
}

for (const backend of backends) {
  describe(`Graph beta SDK models (Kiota) parse the service on ${backend.name}`, () => {
    let s: ClientSuite;
    let refreshLocation: string;

    before(async () => {
      s = await startClientSuite(backend);
      const op = await refreshAll(s);
      refreshLocation = `${s.ts.url}${ALERTS_ROOT}/operations/${encodeURIComponent(String(op.id))}`;
    });
    after(() => s.close());

    test('longRunningOperation (refresh): typed, status an SDK enum member, no leftovers', async () => {
      const op = parse<LongRunningOperation>(await s.text(refreshLocation), createLongRunningOperationFromDiscriminatorValue);
      isText(op.id, 'id');
      isDate(op.createdDateTime, 'createdDateTime');
      isDate(op.lastActionDateTime, 'lastActionDateTime');
      assert.ok(op.lastActionDateTime!.getTime() >= op.createdDateTime!.getTime());
      assert.equal(op.status, 'succeeded');
      assert.equal(typeof op.resourceLocation, 'string');
      assert.ok(op.statusDetail === null || typeof op.statusDetail === 'string');
      // The base type carries no @odata.type on the wire, so the factory picked the base deserializer.
      assert.equal(op.odataType, undefined);
      // The list parses too.
      const list = parseValues<LongRunningOperation>(await s.text(`${ALERTS_ROOT}/operations`), createLongRunningOperationFromDiscriminatorValue);
      assert.ok(list.length >= 1);
      for (const o of list) isDate(o.createdDateTime, 'list createdDateTime');
      // A single-alert refresh operation, still running or final, parses the same way.
      const res = await s.call('POST', `${ALERTS_ROOT}/alerts/${alertId('StaleSignInAlert')}/refresh`);
      assert.equal(res.status, 202);
      const running = parse<LongRunningOperation>(await s.text(res.headers.get('location')!), createLongRunningOperationFromDiscriminatorValue);
      assert.ok(['notStarted', 'running', 'succeeded'].includes(running.status!), String(running.status));
      await s.finish(res.headers.get('location')!);
    });

    test('alert definitions: all seven through the SDK factory, every property typed', async () => {
      const defs = parseValues<UnifiedRoleManagementAlertDefinition>(await s.text(`${ALERTS_ROOT}/alertDefinitions?${SCOPE}`), createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue);
      assert.deepEqual(defs.map((d) => d.id), ALERT_NAMES.map((n) => alertId(n)));
      for (const d of defs) {
        for (const p of ['displayName', 'description', 'securityImpact', 'mitigationSteps', 'howToPrevent'] as const) isText(d[p], `${d.id}.${p}`);
        assert.ok(['informational', 'low', 'medium', 'high'].includes(d.severityLevel!), String(d.severityLevel));
        assert.equal(typeof d.isConfigurable, 'boolean');
        assert.equal(typeof d.isRemediatable, 'boolean');
      }
      const one = parse<UnifiedRoleManagementAlertDefinition>(
        await s.text(`${ALERTS_ROOT}/alertDefinitions/${alertId('StaleSignInAlert')}`),
        createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue,
      );
      assert.equal(one.severityLevel, 'medium');
    });

    test('alert configurations: each of the seven arrives as its derived type with typed thresholds', async () => {
      const configs = parseValues<UnifiedRoleManagementAlertConfiguration>(
        await s.text(`${ALERTS_ROOT}/alertConfigurations?${SCOPE}`),
        createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
      );
      assert.equal(configs.length, 7);
      for (const name of ALERT_NAMES) {
        const c = configs.find((x) => x.id === alertId(name));
        assert.ok(c, name);
        checkConfiguration(name, c);
        const single = parse<UnifiedRoleManagementAlertConfiguration>(
          await s.text(`${ALERTS_ROOT}/alertConfigurations/${alertId(name)}`),
          createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
        );
        checkConfiguration(name, single);
      }
      // $expand=alertDefinition: the nested definition is typed as well.
      const expanded = parse<UnifiedRoleManagementAlertConfiguration>(
        await s.text(`${ALERTS_ROOT}/alertConfigurations/${alertId('StaleSignInAlert')}?$expand=alertDefinition`),
        createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
      );
      assert.equal(expanded.alertDefinition?.id, alertId('StaleSignInAlert'));
      isText(expanded.alertDefinition?.displayName, 'expanded alertDefinition.displayName');
    });

    test('alerts with $expand=*: alert, configuration, definition and every incident subtype typed, nothing untyped', async () => {
      const seen = new Set<string>();
      for (const name of ALERT_NAMES) {
        const text = await s.text(`${ALERTS_ROOT}/alerts/${alertId(name)}?$expand=*`);
        // Kiota has no field for the expanded collection's context annotation: it stays in additionalData.
        const alert = parse<UnifiedRoleManagementAlert>(text, createUnifiedRoleManagementAlertFromDiscriminatorValue, ['$.@odata.context', '$.alertIncidents@odata.context']);
        assert.equal(alert.id, alertId(name));
        assert.equal(alert.alertDefinitionId, alertId(name));
        assert.equal(alert.scopeId, '/');
        assert.equal(alert.scopeType, 'DirectoryRole');
        isInt(alert.incidentCount, 'incidentCount');
        assert.equal(typeof alert.isActive, 'boolean');
        isDate(alert.lastModifiedDateTime, 'lastModifiedDateTime');
        isDate(alert.lastScannedDateTime, 'lastScannedDateTime');
        checkConfiguration(name, alert.alertConfiguration!);
        assert.equal(alert.alertDefinition?.id, alertId(name));
        const incidents = alert.alertIncidents ?? [];
        assert.ok(incidents.length > 0, `the demo tenant has ${name} incidents`);
        assert.equal(alert.incidentCount, incidents.length);
        for (const i of incidents) checkIncident(name, i);
        seen.add(incidents[0]!.odataType!);
        // The incidents collection and one incident by id, through the incident factory.
        const list = parseValues<UnifiedRoleManagementAlertIncident>(
          await s.text(`${ALERTS_ROOT}/alerts/${alertId(name)}/alertIncidents`),
          createUnifiedRoleManagementAlertIncidentFromDiscriminatorValue,
        );
        for (const i of list) checkIncident(name, i);
        const one = parse<UnifiedRoleManagementAlertIncident>(
          await s.text(`${ALERTS_ROOT}/alerts/${alertId(name)}/alertIncidents/${encodeURIComponent(list[0]!.id!)}`),
          createUnifiedRoleManagementAlertIncidentFromDiscriminatorValue,
        );
        checkIncident(name, one);
      }
      assert.equal(seen.size, 7, 'every incident subtype was parsed');
      // The alerts list, expanded, through the same factory.
      const all = parseValues<UnifiedRoleManagementAlert>(
        await s.text(`${ALERTS_ROOT}/alerts?${SCOPE}&$expand=alertConfiguration,alertDefinition`),
        createUnifiedRoleManagementAlertFromDiscriminatorValue,
      );
      assert.equal(all.length, 7);
      for (const a of all) checkConfiguration(a.id!.split('_').at(-1)!, a.alertConfiguration!);
    });

    /** POST validate, wait, and parse the final operation with the SDK's longRunningOperation factory. */
    const validate = async (connectorId: string) => {
      const res = await s.call('POST', `${INDUSTRY_ROOT}/dataConnectors/${connectorId}/validate`);
      assert.equal(res.status, 202, await res.clone().text());
      const final = await s.finish(res.headers.get('location')!);
      assert.equal(final.status, 'succeeded', JSON.stringify(final));
      return parse<FileValidateOperation>(await s.text(res.headers.get('location')!), createLongRunningOperationFromDiscriminatorValue);
    };

    test('collection responses: @odata.count and @odata.nextLink land in the SDK’s typed fields', async () => {
      const page = parse<UnifiedRoleManagementAlertIncidentCollectionResponse>(
        await s.text(`${ALERTS_ROOT}/alerts/${alertId('TooManyGlobalAdminsAssignedToTenantAlert')}/alertIncidents?$top=1`),
        createUnifiedRoleManagementAlertIncidentCollectionResponseFromDiscriminatorValue,
      );
      assert.equal(page.value?.length, 1);
      checkIncident('TooManyGlobalAdminsAssignedToTenantAlert', page.value![0]!);
      assert.equal(typeof page.odataNextLink, 'string');
      assert.match(page.odataNextLink!, /alertIncidents\?.*skiptoken=/i);
      const ops = parse<LongRunningOperationCollectionResponse>(
        await s.text(`${ALERTS_ROOT}/operations?$count=true&$top=1`),
        createLongRunningOperationCollectionResponseFromDiscriminatorValue,
      );
      isInt(ops.odataCount, '@odata.count');
      assert.ok(ops.odataCount! >= 1);
      isDate(ops.value?.[0]?.createdDateTime, 'value[0].createdDateTime');
    });

    test('industry data: azureDataLakeConnector and fileValidateOperation through the SDK factories', async () => {
      const created = await createConnector(s);
      const connector = parse<AzureDataLakeConnector>(
        await s.text(`${INDUSTRY_ROOT}/dataConnectors/${String(created.id)}`),
        createIndustryDataConnectorFromDiscriminatorValue,
      );
      assert.equal(connector.odataType, '#microsoft.graph.industryData.azureDataLakeConnector');
      assert.equal(connector.displayName, 'CSV connector');
      assert.equal(connector.fileFormat?.code, 'schoolDataSyncV2Rev1');
      // With the source system expanded.
      const withSystem = parse<AzureDataLakeConnector>(
        await s.text(`${INDUSTRY_ROOT}/dataConnectors/${String(created.id)}?$expand=sourceSystem`),
        createIndustryDataConnectorFromDiscriminatorValue,
      );
      assert.equal(withSystem.sourceSystem?.displayName, 'Rostering source');
      assert.equal(withSystem.sourceSystem?.vendor, 'Contoso SIS');

      // The upload session: fileUploadSession is not in the SDK's models (spec §4.3), so it is
      // read with Kiota's JsonParseNode primitives under the Graph types of its properties.
      const sessionText = await s.text(uploadSessionPath(String(created.id)));
      const node = new JsonParseNodeFactory().getRootParseNode('application/json', new TextEncoder().encode(sessionText).buffer as ArrayBuffer);
      const session = JSON.parse(sessionText) as Json;
      isDate(node.getChildNode('containerExpirationDateTime')!.getDateValue(), 'containerExpirationDateTime');
      isDate(node.getChildNode('sessionExpirationDateTime')!.getDateValue(), 'sessionExpirationDateTime');
      isText(node.getChildNode('containerId')!.getStringValue(), 'containerId');
      isText(node.getChildNode('sessionUrl')!.getStringValue(), 'sessionUrl');
      assert.deepEqual(
        Object.keys(session).filter((k) => !k.startsWith('@odata.')).sort(),
        ['containerExpirationDateTime', 'containerId', 'sessionExpirationDateTime', 'sessionUrl'],
      );

      // The whole Microsoft sample set: validatedFiles lists every file.
      const all = await upload(String(session.sessionUrl));
      const full = await validate(String(created.id));
      assert.equal(full.odataType, '#microsoft.graph.industryData.fileValidateOperation');
      isDate(full.createdDateTime, 'createdDateTime');
      isDate(full.lastActionDateTime, 'lastActionDateTime');
      assert.equal(full.status, 'succeeded');
      assert.ok(Array.isArray(full.validatedFiles) && full.validatedFiles.every((f) => typeof f === 'string'));
      assert.deepEqual([...full.validatedFiles].sort(), all);
      assert.ok(Array.isArray(full.errors) && Array.isArray(full.warnings));
      for (const e of [...full.errors, ...full.warnings]) isText(e.code, 'publicError.code');

      // A second connector missing a required file: errors[0] is RequiredFileNotFound on orgs.csv.
      const other = await createConnector(s);
      const otherSession = JSON.parse(await s.text(uploadSessionPath(String(other.id)))) as Json;
      await upload(String(otherSession.sessionUrl), all.filter((f) => f !== 'orgs.csv'));
      const op = await validate(String(other.id));
      assert.equal(op.status, 'succeeded');
      assert.ok(op.errors && op.errors.length > 0, 'orgs.csv is missing: errors');
      const missing = op.errors.find((e) => e.code === 'RequiredFileNotFound');
      assert.ok(missing, JSON.stringify(op.errors));
      assert.equal(missing.target, 'orgs.csv');
      isText(missing.message, 'errors[].message');
      assert.ok(Array.isArray(missing.details));
      assert.ok(Array.isArray(op.validatedFiles));
      // The operations list of the family.
      const list = parseValues<LongRunningOperation>(await s.text(`${INDUSTRY_ROOT}/operations`), createLongRunningOperationFromDiscriminatorValue);
      assert.ok(list.some((o) => o.odataType === '#microsoft.graph.industryData.fileValidateOperation' && o.id === op.id) && list.some((o) => o.id === full.id));;
    });
  });
}
