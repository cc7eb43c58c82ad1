// The CSDL test helper (csdl.ts) on real XML: the official Graph beta subset, small documents
// that are wrong on purpose, and the service's own GET /beta/$metadata compared against Graph's.
// The official documents: copies of shared/spec's, kept in test/fixtures/spec so a clone tests on its own.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { pglite } from '../support/backends.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import type { CsdlDocument, CsdlType } from './csdl.js';
import { compareToOfficial, danglingReferences, parseCsdl } from './csdl.js';

const SPEC = new URL('../../../test/fixtures/spec/', import.meta.url);
const officialXml = readFileSync(new URL('graph-csdl-subset.xml', SPEC), 'utf8');
/** Per kind, type name → its own members' names (enum types: the member names). */
interface TypeNames {
  navigationProperties: string[];
  properties: string[];
}
const industryDataNames = JSON.parse(readFileSync(new URL('industrydata-type-names.json', SPEC), 'utf8')) as {
  complexTypes: Record<string, TypeNames>;
  entityTypes: Record<string, TypeNames>;
  enumTypes: Record<string, string[]>;
};

const G = 'microsoft.graph';
const INDUSTRY_DATA = 'microsoft.graph.industryData';

/** A CSDL document around the given schema bodies (namespace → [alias, body]). */
const edmx = (schemas: Record<string, [alias: string | null, body: string]>) =>
  `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>${Object.entries(schemas)
    .map(([namespace, [alias, body]]) => `
    <Schema Namespace="${namespace}"${alias ? ` Alias="${alias}"` : ''} xmlns="http://docs.oasis-open.org/odata/ns/edm">${body}</Schema>`)
    .join('')}
  </edmx:DataServices>
</edmx:Edmx>`;

describe('parseCsdl on the official beta subset', () => {
  const official = parseCsdl(officialXml);

  test('resolves the graph alias: unifiedRoleManagementAlert derives from microsoft.graph.entity', () => {
    assert.equal(official.version, '4.0');
    assert.deepEqual(official.aliases, { graph: G });
    const alert = official.types[`${G}.unifiedRoleManagementAlert`];
    assert.ok(alert);
    assert.equal(alert.kind, 'entity');
    assert.equal(alert.baseType, `${G}.entity`);
    assert.equal(alert.abstract, false);
    assert.deepEqual(alert.properties.incidentCount, { type: 'Edm.Int32', nullable: true });
    assert.deepEqual(alert.properties.scopeId, { type: 'Edm.String', nullable: true }, 'a Property without Type is Edm.String');
  });

  test('alertIncidents is a contained Collection(microsoft.graph.unifiedRoleManagementAlertIncident)', () => {
    const alert = official.types[`${G}.unifiedRoleManagementAlert`]!;
    assert.deepEqual(alert.navigations.alertIncidents, {
      type: `Collection(${G}.unifiedRoleManagementAlertIncident)`,
      nullable: false,
      containsTarget: true,
    });
    assert.deepEqual(alert.navigations.alertDefinition, { type: `${G}.unifiedRoleManagementAlertDefinition`, nullable: true, containsTarget: false });
  });

  test('enum members, abstract types, keys, Edm.Duration', () => {
    const severity = official.types[`${G}.alertSeverity`]!;
    assert.equal(severity.kind, 'enum');
    assert.equal(severity.members.high, 4);
    assert.equal(severity.members.unknownFutureValue, 127);
    assert.equal(official.types[`${G}.staleSignInAlertConfiguration`]!.properties.duration!.type, 'Edm.Duration');
    assert.equal(official.types[`${G}.staleSignInAlertConfiguration`]!.baseType, `${G}.unifiedRoleManagementAlertConfiguration`);
    assert.equal(official.types[`${G}.unifiedRoleManagementAlertConfiguration`]!.abstract, true);
    assert.deepEqual(official.types[`${G}.entity`]!.key, ['id']);
    assert.deepEqual(official.types[`${G}.entity`]!.properties.id, { type: 'Edm.String', nullable: false });
    assert.equal(official.types[`${G}.publicError`]!.kind, 'complex');
    assert.equal(official.types[`${G}.publicError`]!.properties.details!.type, `Collection(${G}.publicErrorDetail)`);
    assert.equal(official.types[`${G}.publicInnerError`]!.openType, true);
  });

  test('bound actions: both refresh overloads and their parameters', () => {
    const refresh = official.operations.filter((o) => o.name === `${G}.refresh`);
    assert.deepEqual(
      refresh.map((o) => [o.kind, o.bindingType, o.parameters.map((p) => `${p.name}:${p.type}:${p.nullable}`), o.returnType]),
      [
        ['action', `Collection(${G}.unifiedRoleManagementAlert)`, ['scopeType:Edm.String:false', 'scopeId:Edm.String:false'], undefined],
        ['action', `${G}.unifiedRoleManagementAlert`, [], undefined],
      ],
    );
    const reset = official.operations.find((o) => o.name === `${G}.resetPassword`)!;
    assert.deepEqual(reset.returnType, { type: `${G}.passwordResetResponse`, nullable: true });
  });

  test('has no EntityContainer and is not reference-closed (as its header says)', () => {
    assert.equal(official.container, undefined);
    const dangling = danglingReferences(official);
    assert.ok(dangling.some((d) => d.startsWith(`${G}.accessReviewSet `)), dangling.join('\n'));
    assert.ok(!dangling.some((d) => d.startsWith(`${G}.unifiedRoleManagementAlertIncident `)));
  });

  test('compared with itself, nothing differs and everything is checked', () => {
    assert.deepEqual(compareToOfficial(official, official, { nullable: true }), { mismatches: [], notChecked: [], operationsNotChecked: [] });
  });
});

describe('parseCsdl on small documents', () => {
  test('aliases of several schemas, full names and the entity container', () => {
    const doc = parseCsdl(
      edmx({
        [G]: [
          'graph',
          `<EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
           <EntityType Name="longRunningOperation" BaseType="microsoft.graph.entity"/>
           <EntityType Name="root" BaseType="graph.entity">
             <NavigationProperty Name="operations" Type="Collection(microsoft.graph.industryData.validateOperation)" ContainsTarget="true"/>
             <NavigationProperty Name="owner" Type="graph.user"/>
           </EntityType>
           <Function Name="count" IsBound="true"><Parameter Name="bindingParameter" Type="graph.root"/><Parameter Name="all" Type="Edm.Boolean"/><ReturnType Type="Edm.Int32" Nullable="false"/></Function>
           <EntityContainer Name="GraphService">
             <EntitySet Name="roots" EntityType="graph.root"><NavigationPropertyBinding Path="owner" Target="users"/></EntitySet>
             <Singleton Name="external" Type="industryData.validateOperation"/>
           </EntityContainer>`,
        ],
        [INDUSTRY_DATA]: [
          'industryData',
          `<EntityType Name="validateOperation" BaseType="graph.longRunningOperation"><Property Name="errors" Type="Collection(graph.publicError)"/></EntityType>
           <EnumType Name="readinessStatus"><Member Name="notReady"/><Member Name="ready"/></EnumType>`,
        ],
      }),
    );
    assert.deepEqual(doc.namespaces, [G, INDUSTRY_DATA]);
    assert.deepEqual(doc.aliases, { graph: G, industryData: INDUSTRY_DATA });
    assert.equal(doc.types[`${G}.longRunningOperation`]!.baseType, `${G}.entity`);
    assert.deepEqual(doc.types[`${G}.root`]!.navigations.operations, {
      type: `Collection(${INDUSTRY_DATA}.validateOperation)`,
      nullable: false,
      containsTarget: true,
    });
    assert.equal(doc.types[`${INDUSTRY_DATA}.validateOperation`]!.baseType, `${G}.longRunningOperation`);
    assert.equal(doc.types[`${INDUSTRY_DATA}.validateOperation`]!.properties.errors!.type, `Collection(${G}.publicError)`);
    assert.deepEqual(doc.types[`${INDUSTRY_DATA}.readinessStatus`]!.members, { notReady: 0, ready: 1 });
    assert.deepEqual(doc.container, {
      name: `${G}.GraphService`,
      entitySets: { roots: { name: 'roots', type: `${G}.root`, bindings: { owner: 'users' } } },
      singletons: { external: { name: 'external', type: `${INDUSTRY_DATA}.validateOperation`, bindings: {} } },
      actionImports: {},
      functionImports: {},
    });
    assert.deepEqual(doc.operations, [
      {
        kind: 'function',
        name: `${G}.count`,
        bound: true,
        bindingType: `${G}.root`,
        parameters: [{ name: 'all', type: 'Edm.Boolean', nullable: true }],
        returnType: { type: 'Edm.Int32', nullable: false },
      },
    ]);
    assert.deepEqual(danglingReferences(doc), [`${G}.user (${G}.root/owner)`, `${G}.publicError (${INDUSTRY_DATA}.validateOperation/errors)`]);
  });

  test('rejects what is not CSDL: another root, duplicate members, unknown attributes, OData v3 namespaces', () => {
    assert.throws(() => parseCsdl('<metadata/>'), /Unexpected root element/);
    assert.throws(() => parseCsdl(edmx({ [G]: [null, '<EntityType Name="a"><Property Name="p" Type="Edm.String"/><Property Name="p" Type="Edm.Int32"/></EntityType>'] })), /collides/);
    assert.throws(() => parseCsdl(edmx({ [G]: [null, '<EntityType Name="a" Kind="x"/>'] })), /unexpected attribute: Kind/);
    assert.throws(() => parseCsdl(edmx({ [G]: [null, '<EntityType Name="a"/>'] }).replace('http://docs.oasis-open.org/odata/ns/edm"', 'http://schemas.microsoft.com/ado/2009/11/edm"')), /namespace/);
  });
});

describe('compareToOfficial', () => {
  const official = parseCsdl(officialXml);
  const served = (body: string, more: Record<string, [string | null, string]> = {}) => parseCsdl(edmx({ [G]: ['graph', body], ...more }));

  test('a served document that agrees: full names, inherited properties, a subset of members and an unofficial namespace', () => {
    const result = compareToOfficial(
      served(
        `<EnumType Name="alertSeverity"><Member Name="low" Value="2"/><Member Name="high" Value="4"/></EnumType>
         <EntityType Name="entity" Abstract="true"><Key><PropertyRef Name="id"/></Key><Property Name="id" Type="Edm.String" Nullable="false"/></EntityType>
         <EntityType Name="unifiedRoleManagementAlertConfiguration" BaseType="microsoft.graph.entity" Abstract="true">
           <Property Name="isEnabled" Type="Edm.Boolean"/>
           <NavigationProperty Name="alertDefinition" Type="microsoft.graph.unifiedRoleManagementAlertDefinition"/>
         </EntityType>
         <EntityType Name="unifiedRoleManagementAlertDefinition" BaseType="microsoft.graph.entity"/>
         <EntityType Name="staleSignInAlertConfiguration" BaseType="microsoft.graph.unifiedRoleManagementAlertConfiguration">
           <Property Name="duration" Type="Edm.Duration"/>
           <Property Name="scopeId" Type="Edm.String"/>
         </EntityType>
         <EntityType Name="unifiedRoleManagementAlert" BaseType="microsoft.graph.entity">
           <NavigationProperty Name="alertIncidents" Type="Collection(microsoft.graph.unifiedRoleManagementAlertIncident)" ContainsTarget="true"/>
         </EntityType>
         <Action Name="refresh" IsBound="true"><Parameter Name="bindingParameter" Type="microsoft.graph.unifiedRoleManagementAlert"/></Action>`,
        { [INDUSTRY_DATA]: [null, '<ComplexType Name="fileUploadSession"><Property Name="sessionUrl" Type="Edm.String"/></ComplexType>'] },
      ),
      official,
    );
    assert.deepEqual(result, { mismatches: [], notChecked: [`${INDUSTRY_DATA}.fileUploadSession`], operationsNotChecked: [] });
  });

  test('catches a property of the wrong type, also one the official type inherits', () => {
    const { mismatches } = compareToOfficial(
      served(
        `<EntityType Name="staleSignInAlertConfiguration" BaseType="microsoft.graph.unifiedRoleManagementAlertConfiguration">
           <Property Name="duration" Type="Edm.String"/>
           <Property Name="isEnabled" Type="Collection(Edm.Boolean)"/>
         </EntityType>`,
      ),
      official,
    );
    assert.deepEqual(mismatches, [
      `${G}.staleSignInAlertConfiguration/duration: type Edm.String, official ${G}.staleSignInAlertConfiguration/duration is Edm.Duration`,
      `${G}.staleSignInAlertConfiguration/isEnabled: type Collection(Edm.Boolean), official ${G}.unifiedRoleManagementAlertConfiguration/isEnabled is Edm.Boolean`,
    ]);
  });

  test('catches a property or navigation that does not exist officially, and one of the wrong kind', () => {
    const { mismatches } = compareToOfficial(
      served(
        `<EntityType Name="unifiedRoleManagementAlert" BaseType="graph.entity">
           <Property Name="severity" Type="graph.alertSeverity"/>
           <Property Name="alertDefinition" Type="Edm.String"/>
           <NavigationProperty Name="incidents" Type="Collection(graph.unifiedRoleManagementAlertIncident)" ContainsTarget="true"/>
           <NavigationProperty Name="alertIncidents" Type="Collection(graph.unifiedRoleManagementAlertIncident)"/>
         </EntityType>`,
      ),
      official,
    );
    assert.deepEqual(mismatches, [
      `${G}.unifiedRoleManagementAlert/severity: no such property on official ${G}.unifiedRoleManagementAlert or its base types`,
      `${G}.unifiedRoleManagementAlert/alertDefinition: served as a property, official ${G}.unifiedRoleManagementAlert/alertDefinition is a navigation property`,
      `${G}.unifiedRoleManagementAlert/incidents: no such navigation property on official ${G}.unifiedRoleManagementAlert or its base types`,
      `${G}.unifiedRoleManagementAlert/alertIncidents: ContainsTarget false, official true`,
    ]);
  });

  test('catches a wrong base type, a lost Abstract and a wrong kind', () => {
    const { mismatches } = compareToOfficial(
      served(
        `<EntityType Name="staleSignInAlertConfiguration" BaseType="microsoft.graph.entity"/>
         <EntityType Name="unifiedRoleManagementAlertIncident" BaseType="microsoft.graph.entity"/>
         <EntityType Name="redundantAssignmentAlertIncident"/>
         <EntityType Name="publicErrorDetail"/>`,
      ),
      official,
    );
    assert.deepEqual(mismatches, [
      `${G}.publicErrorDetail: served as entity type, official complex type`,
      `${G}.redundantAssignmentAlertIncident: base type (none), official ${G}.unifiedRoleManagementAlertIncident`,
      `${G}.staleSignInAlertConfiguration: base type ${G}.entity, official ${G}.unifiedRoleManagementAlertConfiguration`,
      `${G}.unifiedRoleManagementAlertIncident: not abstract, official abstract`,
    ]);
  });

  test('catches enum members that are not official, and official members with other values', () => {
    const { mismatches } = compareToOfficial(
      served('<EnumType Name="alertSeverity"><Member Name="high" Value="3"/><Member Name="critical" Value="5"/></EnumType>'),
      official,
    );
    assert.deepEqual(mismatches, [
      `${G}.alertSeverity: member high = 3, official 4`,
      `${G}.alertSeverity: member critical is not an official member (unknown, informational, low, medium, high, unknownFutureValue)`,
    ]);
  });

  test('catches bound actions with other parameters or results, lists unknown ones as not checked', () => {
    const result = compareToOfficial(
      served(
        `<Action Name="refresh" IsBound="true"><Parameter Name="bindingParameter" Type="Collection(graph.unifiedRoleManagementAlert)"/><Parameter Name="scopeId" Type="Edm.String" Nullable="false"/></Action>
         <Action Name="remediate" IsBound="true"><Parameter Name="bindingParameter" Type="graph.unifiedRoleManagementAlertIncident"/><ReturnType Type="Edm.Boolean"/></Action>`,
        { [INDUSTRY_DATA]: [null, `<Action Name="validate" IsBound="true"><Parameter Name="bindingParameter" Type="${INDUSTRY_DATA}.industryDataConnector"/></Action>`] },
      ),
      official,
    );
    assert.deepEqual(result.mismatches, [
      `${G}.refresh(Collection(${G}.unifiedRoleManagementAlert)): parameters scopeId: Edm.String, official scopeType: Edm.String, scopeId: Edm.String`,
      `${G}.remediate(${G}.unifiedRoleManagementAlertIncident): returns Edm.Boolean, official nothing`,
    ]);
    assert.deepEqual(result.operationsNotChecked, [`${INDUSTRY_DATA}.validate(${INDUSTRY_DATA}.industryDataConnector)`]);
  });

  test('nullability is compared only when asked', () => {
    const doc = served('<EntityType Name="unifiedRoleManagementAlert" BaseType="graph.entity"><Property Name="incidentCount" Type="Edm.Int32" Nullable="false"/></EntityType>');
    assert.deepEqual(compareToOfficial(doc, official).mismatches, []);
    assert.deepEqual(compareToOfficial(doc, official, { nullable: true }).mismatches, [
      `${G}.unifiedRoleManagementAlert/incidentCount: nullable false, official ${G}.unifiedRoleManagementAlert/incidentCount nullable true`,
    ]);
  });
});

/** Types the official subset leaves out on purpose (see its header), besides the industryData namespace. */
const ABSENT_FROM_SUBSET = new Set([`${G}.externalConnectors.external`, `${G}.attackSimulationOperation`, `${G}.attackSimulationOperationType`, `${G}.user`]);

/**
 * The industryData names list for a served type of that namespace, checked against its kind; and
 * the member names the type may declare: its own, its industryData ancestors', and those of the
 * official types it derives from.
 */
function industryDataMembers(doc: CsdlDocument, official: CsdlDocument, name: string): { problem?: string; members: Set<string> } {
  const members = new Set<string>();
  const seen = new Set<string>();
  for (let current: string | undefined = name; current && !seen.has(current); ) {
    seen.add(current);
    if (current.startsWith(`${INDUSTRY_DATA}.`)) {
      const type: CsdlType | undefined = doc.types[current];
      const short = current.slice(INDUSTRY_DATA.length + 1);
      const list = type?.kind === 'entity' ? 'entityTypes' : type?.kind === 'complex' ? 'complexTypes' : 'enumTypes';
      const names = list === 'enumTypes' ? industryDataNames.enumTypes[short] : industryDataNames[list][short];
      if (!names) return { problem: `${current} is not among the official ${list} of ${INDUSTRY_DATA}`, members };
      for (const member of Array.isArray(names) ? names : [...names.properties, ...names.navigationProperties]) members.add(member);
      current = type?.baseType;
    } else {
      const type = official.types[current];
      if (!type) return { problem: `${name} derives from ${current}, which the official subset lacks`, members };
      for (const member of [...Object.keys(type.properties), ...Object.keys(type.navigations)]) members.add(member);
      current = type.baseType;
    }
  }
  return { members };
}

describe('GET /beta/$metadata', () => {
  // Started by the first test that runs, so skipped tests start no server.
  let started: Promise<TestServer> | undefined;
  const metadata = async () => {
    const ts = await (started ??= startTestServer(pglite));
    // Graph answers $metadata without a token; a service that asks for one is also accepted here.
    const res = await ts.get('/beta/$metadata', { token: null });
    return res.status === 401 ? ts.get('/beta/$metadata') : res;
  };
  after(async () => {
    if (started) await (await started).close();
  });

  test('serves CSDL XML that agrees with Graph’s beta metadata', async () => {
    const res = await metadata();
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    assert.match(res.headers.get('content-type') ?? '', /^application\/xml\b/);

    const served = parseCsdl(xml);
    assert.equal(served.version, '4.0');
    const official = parseCsdl(officialXml);
    const { mismatches, notChecked } = compareToOfficial(served, official);
    assert.deepEqual(mismatches, [], `differences from the official beta CSDL:\n${mismatches.join('\n')}`);

    const problems: string[] = [];
    for (const name of notChecked) {
      if (!name.startsWith(`${INDUSTRY_DATA}.`)) {
        if (!ABSENT_FROM_SUBSET.has(name)) problems.push(`${name}: neither in the official subset nor known to be absent from it`);
        continue;
      }
      const { problem, members } = industryDataMembers(served, official, name);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const type = served.types[name]!;
      for (const member of [...Object.keys(type.properties), ...Object.keys(type.navigations), ...Object.keys(type.members)]) {
        if (!members.has(member)) problems.push(`${name}/${member}: not an official member name`);
      }
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  test('declares every type an entity served can have, derived ones included', async () => {
    const served = parseCsdl(await (await metadata()).text());
    const expected = [
      ...['staleSignInAlertConfiguration', 'tooManyGlobalAdminsAssignedToTenantAlertConfiguration', 'invalidLicenseAlertIncident', 'sequentialActivationRenewalsAlertIncident'].map((n) => `microsoft.graph.${n}`),
      ...['azureDataLakeConnector', 'inboundFileFlow', 'fileValidateOperation', 'yearTimePeriodDefinition', 'fileUploadSession'].map((n) => `${INDUSTRY_DATA}.${n}`),
    ];
    assert.deepEqual(expected.filter((name) => !served.types[name]), [], 'missing from $metadata');
    assert.deepEqual(Object.keys(served.types[`microsoft.graph.staleSignInAlertConfiguration`]!.properties), ['duration']);
    const singletons = Object.keys(served.container?.singletons ?? {}).sort();
    assert.deepEqual(singletons, ['external', 'identityGovernance']);
  });

  test('is reference-closed: every type it names, it declares', async () => {
    const res = await metadata();
    const xml = await res.text();
    assert.equal(res.status, 200, xml);
    const dangling = danglingReferences(parseCsdl(xml));
    assert.deepEqual(dangling, [], `types named but not declared:\n${dangling.join('\n')}`);
  });
});
