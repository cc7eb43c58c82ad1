// Outbound provisioning flow sets and their provisioning flows, with Graph's own request bodies
// (their property-name typos included): CRUD of both, the four flow types (one of each per set),
// section role codes checked and normalised, passwords never written back, role groups expanded,
// `reset` (202), permissions and tenant isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { backends, OTHER_TENANT } from '../../support/backends.js';
import type { Json, Suite } from './support.js';
import { json, ROOT, startSuite } from './support.js';

const SETS = `${ROOT}/outboundProvisioningFlowSets`;
const WRITE = 'IndustryData-OutboundFlow.ReadWrite.All';
const READ = 'IndustryData-OutboundFlow.Read.All';
const T = (name: string) => `#microsoft.graph.industryData.${name}`;

const FLOW_SET = { '@odata.type': T('outboundProvisioningFlowSet'), displayName: 'Outbound Provisioning Flow Test', filter: { '@odata.type': T('basicFilter'), attribute: 'orgExternalId', in: ['Quarter', 'Demo'] } };
const ADMIN_UNITS = { '@odata.type': T('administrativeUnitProvisioningFlow'), creationOptions: { createBasedOnOrg: true, createBasedOnOrgPlusroleGroup: true } };
const SECURITY_GROUPS = { '@odata.type': T('securityGroupProvisioningFlow'), creationOptions: { createBasedOnroleGroup: true, createBasedOnOrgPlusroleGroup: false } };
const mapping = (code: string) => ({ '@odata.type': T('sectionRoleReferenceValue'), code });
const CLASS_GROUPS = {
  '@odata.type': T('classGroupProvisioningFlow'),
  configuration: {
    '@odata.type': T('classGroupConfiguration'),
    additionalAttributes: ['courseTitle', 'courseCode', 'courseSubject'],
    additionalOptions: { '@odata.type': T('additionalClassGroupOptions'), createTeam: true, writeDisplayNameOnCreateOnly: true },
    enrollmentMappings: {
      '@odata.type': T('enrollmentMappings'),
      ownerEnrollmentMappings: ['teacher', 'paraProfessional'].map(mapping),
      memberEnrollmentMappings: ['student', 'aide'].map(mapping),
    },
  },
};
const configuration = (group: string, sku: string) => ({
  'roleGroup@odata.bind': `https://graph.microsoft.com/beta/external/industryData/roleGroups/${group}`,
  defaultPasswordSettings: { '@odata.type': T('simplePasswordSettings'), password: 'S3cret-pass' },
  licenseSkus: [sku],
});
const USERS = {
  '@odata.type': T('userProvisioningFlow'),
  createUnmatchedUsers: true,
  managementOptions: { additionalAttributes: ['userGradeLevel'], additionalOptions: { studentAgeGroup: 'minor', allowStudentContactAssociation: false } },
  creationOptions: { configurations: [configuration('staff', 'Sku1'), configuration('students', 'Sku2')] },
};

for (const backend of backends) {
  describe(`outbound provisioning flow sets on ${backend.name}`, () => {
    let s: Suite;
    let root: string;
    let writer: string;
    before(async () => {
      s = await startSuite(backend);
      root = `${s.ts.url}/beta`;
      writer = await s.token({ scopes: [WRITE] });
    });
    after(() => s.close());

    const created = async (path: string, body: unknown) => {
      const res = await s.call('POST', path, { token: writer, body });
      assert.equal(res.status, 201, await res.clone().text());
      return { body: await json(res), location: res.headers.get('location') };
    };

    test("a flow set: Graph's create example gives its 201; get, list, PATCH 204, DELETE 204 with its flows", async () => {
      const { body: set, location } = await created(SETS, FLOW_SET);
      assert.equal(location, `${root}/external/industryData/outboundProvisioningFlowSets/${set.id as string}`);
      assert.equal(set['@odata.context'], `${root}/$metadata#external/industryData/outboundProvisioningFlowSets/$entity`);
      assert.deepEqual(set.filter, FLOW_SET.filter);
      assert.equal(set.displayName, FLOW_SET.displayName);
      assert.equal(set.createdDateTime, set.lastModifiedDateTime);
      const path = `${SETS}/${set.id as string}`;
      assert.equal((await s.call('PATCH', path, { token: writer, body: { '@odata.type': T('outboundProvisioningFlowSet'), displayName: 'Outbound provisioning flow Updated' } })).status, 204);
      const read = await s.get(path, writer);
      assert.equal(read.displayName, 'Outbound provisioning flow Updated');
      assert.deepEqual(read.filter, FLOW_SET.filter);
      assert.ok((read.lastModifiedDateTime as string) > (set.lastModifiedDateTime as string));
      const listed = await s.get(`${SETS}?$filter=displayName eq 'Outbound provisioning flow Updated'&$count=true`, writer);
      assert.equal(listed['@odata.count'], 1);
      for (const [body, target] of [
        [{ filter: FLOW_SET.filter }, 'displayName'],
        [{ ...FLOW_SET, filter: { '@odata.type': T('filter'), attribute: 'orgExternalId', in: ['x'] } }, 'filter'],
        [{ ...FLOW_SET, filter: { '@odata.type': T('basicFilter'), attribute: 'orgName', in: ['x'] } }, 'filter.attribute'],
      ] as const) {
        await s.expectError(await s.call('POST', SETS, { token: writer, body }), 400, 'BadRequest', undefined, target);
      }
      await created(`${path}/provisioningFlows`, ADMIN_UNITS);
      assert.equal((await s.call('DELETE', path, { token: writer })).status, 204);
      await s.expectError(await s.call('GET', path, { token: writer }), 404, 'ResourceNotFound');
      await s.expectError(await s.call('GET', `${path}/provisioningFlows`, { token: writer }), 404, 'ResourceNotFound');
    });

    test("the four flow types from Graph's examples: typos in names accepted, codes normalised, passwords masked, role groups expanded", async () => {
      const { body: set } = await created(SETS, FLOW_SET);
      const flows = `${SETS}/${set.id as string}/provisioningFlows`;
      const { body: adminUnits, location } = await created(flows, ADMIN_UNITS);
      assert.equal(location, `${root}/external/industryData/outboundProvisioningFlowSets/${set.id as string}/provisioningFlows/${adminUnits.id as string}`);
      assert.equal(adminUnits['@odata.context'], `${root}/$metadata#external/industryData/outboundProvisioningFlowSets('${set.id as string}')/provisioningFlows/$entity`);
      assert.equal(adminUnits['@odata.type'], T('administrativeUnitProvisioningFlow'));
      assert.deepEqual(adminUnits.creationOptions, { createBasedOnOrg: true, createBasedOnOrgPlusRoleGroup: true });
      assert.equal(adminUnits.readinessStatus, 'notReady', 'no inbound flow yet: nothing to provision from');
      const { body: groups } = await created(flows, SECURITY_GROUPS);
      assert.deepEqual(groups.creationOptions, { createBasedOnRoleGroup: true, createBasedOnOrgPlusRoleGroup: false });
      const { body: classes } = await created(flows, CLASS_GROUPS);
      assert.deepEqual(classes.configuration, {
        additionalAttributes: ['courseTitle', 'courseCode', 'courseSubject'],
        additionalOptions: { createTeam: true, writeDisplayNameOnCreateOnly: true },
        enrollmentMappings: { ownerEnrollmentMappings: [{ code: 'teacher' }, { code: 'paraprofessional' }], memberEnrollmentMappings: [{ code: 'student' }, { code: 'aide' }] },
      });
      const { body: users } = await created(flows, USERS);
      assert.equal(users.createUnmatchedUsers, true);
      assert.deepEqual(users.managementOptions, USERS.managementOptions);
      const configurations = (users.creationOptions as Json).configurations as Json[];
      assert.deepEqual(configurations[1], {
        defaultPasswordSettings: { '@odata.type': T('simplePasswordSettings'), password: '***************' },
        licenseSkus: ['Sku2'],
        roleGroup: { id: 'students', displayName: 'Students', roles: [{ code: 'student' }] },
      });
      assert.ok(!JSON.stringify(await s.get(flows, writer)).includes('S3cret'), 'the password is never written back');
      const listed = (await s.get(flows, writer)).value as Json[];
      assert.deepEqual(listed.map((f) => f['@odata.type']).sort(), ['administrativeUnitProvisioningFlow', 'classGroupProvisioningFlow', 'securityGroupProvisioningFlow', 'userProvisioningFlow'].map(T));
      await s.expectError(await s.call('POST', flows, { token: writer, body: SECURITY_GROUPS }), 409, 'Conflict', 'securityGroupProvisioningFlow');

      // PATCH replaces what it names; GET of one flow; DELETE; reset is a 202.
      const one = `${flows}/${classes.id as string}`;
      const patch = { '@odata.type': T('classGroupProvisioningFlow'), configuration: { additionalAttributes: ['courseTitle'], enrollmentMappings: { ownerEnrollmentMappings: [mapping('teacher')], memberEnrollmentMappings: [mapping('substitute')] } } };
      assert.equal((await s.call('PATCH', one, { token: writer, body: patch })).status, 204);
      const after = await s.get(one, writer);
      assert.deepEqual(after.configuration, { additionalAttributes: ['courseTitle'], enrollmentMappings: { ownerEnrollmentMappings: [{ code: 'teacher' }], memberEnrollmentMappings: [{ code: 'substitute' }] } });
      assert.equal((await s.call('POST', `${one}/reset`, { token: writer })).status, 202);
      assert.equal((await s.call('POST', `${flows}/${users.id as string}/microsoft.graph.industryData.reset`, { token: writer })).status, 202);
      assert.equal((await s.call('DELETE', `${flows}/${adminUnits.id as string}`, { token: writer })).status, 204);
      await s.expectError(await s.call('GET', `${flows}/${adminUnits.id as string}`, { token: writer }), 404, 'ResourceNotFound');
    });

    test('flow bodies are checked like any other: the type, required options, codes, role groups', async () => {
      const { body: set } = await created(SETS, { displayName: 'Checked' });
      const flows = `${SETS}/${set.id as string}/provisioningFlows`;
      const cases: [Json, string, string][] = [
        [{ creationOptions: {} }, "must contain '@odata.type'", '@odata.type'],
        [{ '@odata.type': T('provisioningFlow') }, 'not a provisioning flow type', '@odata.type'],
        [{ '@odata.type': T('securityGroupProvisioningFlow') }, "'creationOptions' is required", 'creationOptions'],
        [{ ...USERS, managementOptions: undefined }, "'managementOptions' is required", 'managementOptions'],
        [{ ...CLASS_GROUPS, configuration: { enrollmentMappings: { ownerEnrollmentMappings: [{ code: 'janitor' }] } } }, "'janitor' is not a RefSectionRole code", 'configuration.enrollmentMappings.ownerEnrollmentMappings[0].code'],
        [{ ...USERS, creationOptions: { configurations: [{ ...configuration('staff', 'x'), 'roleGroup@odata.bind': 'external/industryData/roleGroups/parents' }] } }, "The role group 'parents'", 'creationOptions.configurations[0].roleGroup@odata.bind'],
        [{ ...USERS, creationOptions: { configurations: [{ defaultPasswordSettings: { '@odata.type': T('passwordSettings'), password: 'x' }, 'roleGroup@odata.bind': 'external/industryData/roleGroups/staff' }] } }, "'creationOptions.configurations[0].defaultPasswordSettings' is of type", 'creationOptions.configurations[0].defaultPasswordSettings'],
        [{ ...USERS, managementOptions: { additionalOptions: { studentAgeGroup: 'toddler' } } }, "'toddler'", 'managementOptions.additionalOptions.studentAgeGroup'],
        [{ ...SECURITY_GROUPS, creationOptions: { createBasedOnRoleGroup: true, createbasedonrolegroup: false } }, 'given twice', 'creationOptions.createBasedOnRoleGroup'],
      ];
      for (const [body, message, target] of cases) await s.expectError(await s.call('POST', flows, { token: writer, body }), 400, 'BadRequest', message, target);
    });

    test('permissions: Read reads, only ReadWrite writes (delegated and application); another tenant sees nothing', async () => {
      const { body: set } = await created(SETS, { displayName: 'Guarded' });
      const path = `${SETS}/${set.id as string}`;
      for (const app of [false, true]) {
        const token = await s.token(app ? { app: true, roles: [READ], scopes: undefined } : { scopes: [READ] });
        assert.equal((await s.call('GET', `${path}/provisioningFlows`, { token })).status, 200);
        await s.expectError(await s.call('PATCH', path, { token, body: { displayName: 'x' } }), 403, 'Authorization_RequestDenied');
        await s.expectError(await s.call('POST', `${path}/provisioningFlows`, { token, body: ADMIN_UNITS }), 403, 'Authorization_RequestDenied');
      }
      await s.expectError(await s.call('GET', SETS), 403, 'Authorization_RequestDenied');
      const other = await s.token({ tenantId: OTHER_TENANT, scopes: [WRITE] });
      await s.expectError(await s.call('GET', path, { token: other }), 404, 'ResourceNotFound');
      await s.expectError(await s.call('POST', `${path}/provisioningFlows`, { token: other, body: ADMIN_UNITS }), 404, 'ResourceNotFound');
      assert.deepEqual((await s.get(SETS, other)).value, []);
    });
  });
}
