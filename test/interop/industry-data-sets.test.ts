// Reference definitions, role groups and outbound provisioning flows through the official beta
// SDK's models: bodies the SDK serializes are accepted (derived complex types, reference values,
// enum collections) and what the service answers parses into the SDK's types.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Parsable, ParsableFactory } from '@microsoft/kiota-abstractions';
import { BaseBearerTokenAuthenticationProvider, HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import type { ModelSerializerFunction } from '@microsoft/kiota-abstractions';
import { GraphBetaRequestAdapter } from '@microsoft/msgraph-beta-sdk';
import type {
  BasicFilter,
  ClassGroupProvisioningFlow,
  OutboundProvisioningFlowSet,
  ProvisioningFlowCollectionResponse,
  ReferenceDefinition,
  ReferenceDefinitionCollectionResponse,
  RoleGroup,
  SimplePasswordSettings,
  UserProvisioningFlow,
} from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import {
  createOutboundProvisioningFlowSetFromDiscriminatorValue,
  createProvisioningFlowCollectionResponseFromDiscriminatorValue,
  createProvisioningFlowFromDiscriminatorValue,
  createReferenceDefinitionCollectionResponseFromDiscriminatorValue,
  createReferenceDefinitionFromDiscriminatorValue,
  createRoleGroupFromDiscriminatorValue,
  serializeClassGroupProvisioningFlow,
  serializeOutboundProvisioningFlowSet,
  serializeReferenceDefinition,
  serializeUserProvisioningFlow,
} from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import { pglite } from '../support/backends.js';
import type { ClientSuite } from './support.js';
import { INDUSTRY_ROOT, startClientSuite } from './support.js';

describe('industry data sets through the beta SDK’s models', () => {
  let s: ClientSuite;
  let adapter: GraphBetaRequestAdapter;
  let token: string;

  const send = <T extends Parsable>(method: HttpMethod, path: string, factory: ParsableFactory<T>, body?: { value: T; serializer: ModelSerializerFunction<T> }) => {
    const info = new RequestInformation(method, `{+baseurl}${path.replace('/beta', '')}`, {});
    info.headers.tryAdd('Accept', 'application/json');
    if (body) info.setContentFromParsable(adapter, 'application/json', body.value, body.serializer);
    return adapter.send<T>(info, factory, undefined);
  };

  before(async () => {
    s = await startClientSuite(pglite, { users: 20 });
    token = await s.ts.token({ scopes: ['IndustryData-ReferenceDefinition.ReadWrite.All', 'IndustryData-OutboundFlow.ReadWrite.All'], wids: [] });
    adapter = new GraphBetaRequestAdapter(
      new BaseBearerTokenAuthenticationProvider({ getAuthorizationToken: async () => token, getAllowedHostsValidator: () => ({ isUrlHostValid: () => true }) as never }),
    );
    adapter.baseUrl = `${s.ts.url}/beta`;
  });
  after(() => s?.close());

  test('reference definitions: list with $filter, create a tenant code, get it; role groups', async () => {
    const info = new RequestInformation(HttpMethod.GET, `{+baseurl}/external/industryData/referenceDefinitions{?%24filter}`, { '%24filter': "referenceType eq 'RefIdentifierType'" });
    info.headers.tryAdd('Accept', 'application/json');
    const page = await adapter.send<ReferenceDefinitionCollectionResponse>(info, createReferenceDefinitionCollectionResponseFromDiscriminatorValue, undefined);
    assert.deepEqual(page?.value?.map((d) => d.code).sort(), ['activeDirectoryMatchId', 'email', 'sourcedId', 'username']);
    assert.equal(page?.value?.[0]?.createdDateTime?.toISOString(), '0001-01-01T00:00:00.000Z');

    const value: ReferenceDefinition = { referenceType: 'RefPersonFlagType', code: 'homeless', displayName: 'Homeless', isDisabled: false, sortIndex: 100 };
    const created = await send(HttpMethod.POST, `${INDUSTRY_ROOT}/referenceDefinitions`, createReferenceDefinitionFromDiscriminatorValue, { value, serializer: serializeReferenceDefinition });
    assert.equal(created?.id, 'RefPersonFlagType-homeless');
    assert.equal(created?.source, 'Tenant Defined');
    const staff = await send<RoleGroup>(HttpMethod.GET, `${INDUSTRY_ROOT}/roleGroups/staff`, createRoleGroupFromDiscriminatorValue);
    assert.ok(staff?.roles?.some((r) => r.code === 'teacher'));
  });

  test('a flow set, its basicFilter parsed, and class group and user flows serialized by the SDK', async () => {
    // The SDK's flow set serializer writes a derived filter's @odata.type only (its base type's
    // serializer), so the filter is set with a plain PATCH; the SDK parses it back.
    const set = await send<OutboundProvisioningFlowSet>(HttpMethod.POST, `${INDUSTRY_ROOT}/outboundProvisioningFlowSets`, createOutboundProvisioningFlowSetFromDiscriminatorValue, {
      value: { displayName: 'SDK flow set' },
      serializer: serializeOutboundProvisioningFlowSet,
    });
    const filter = { '@odata.type': '#microsoft.graph.industryData.basicFilter', attribute: 'orgExternalId', in: ['Quarter', 'Demo'] };
    assert.equal((await s.call('PATCH', `${INDUSTRY_ROOT}/outboundProvisioningFlowSets/${set!.id!}`, { body: { filter }, headers: { authorization: `Bearer ${token}` } })).status, 204);
    const read = await send<OutboundProvisioningFlowSet>(HttpMethod.GET, `${INDUSTRY_ROOT}/outboundProvisioningFlowSets/${set!.id!}`, createOutboundProvisioningFlowSetFromDiscriminatorValue);
    assert.deepEqual((read?.filter as BasicFilter | undefined)?.inEscaped, ['Quarter', 'Demo']);
    const flows = `${INDUSTRY_ROOT}/outboundProvisioningFlowSets/${set!.id!}/provisioningFlows`;

    const classes: ClassGroupProvisioningFlow = {
      odataType: '#microsoft.graph.industryData.classGroupProvisioningFlow',
      configuration: {
        additionalAttributes: ['courseTitle', 'classCode'],
        additionalOptions: { createTeam: true, writeDisplayNameOnCreateOnly: false },
        enrollmentMappings: { ownerEnrollmentMappings: [{ code: 'teacher' }], memberEnrollmentMappings: [{ code: 'student' }] },
      },
    };
    const createdClasses = (await send(HttpMethod.POST, flows, createProvisioningFlowFromDiscriminatorValue, { value: classes, serializer: serializeClassGroupProvisioningFlow })) as ClassGroupProvisioningFlow | undefined;
    assert.equal(createdClasses?.odataType, '#microsoft.graph.industryData.classGroupProvisioningFlow');
    assert.deepEqual(createdClasses?.configuration?.additionalAttributes, ['courseTitle', 'classCode']);
    assert.deepEqual(createdClasses?.configuration?.enrollmentMappings?.memberEnrollmentMappings?.map((m) => m.code), ['student']);

    const password: SimplePasswordSettings = { odataType: '#microsoft.graph.industryData.simplePasswordSettings', password: 'Sdk-Secret-1' };
    const users: UserProvisioningFlow = {
      odataType: '#microsoft.graph.industryData.userProvisioningFlow',
      createUnmatchedUsers: false,
      managementOptions: { additionalAttributes: ['userNumber'], additionalOptions: { studentAgeGroup: 'notAdult' } },
      creationOptions: {
        configurations: [{ defaultPasswordSettings: password, licenseSkus: ['sku'], additionalData: { 'roleGroup@odata.bind': 'https://graph.microsoft.com/beta/external/industryData/roleGroups/students' } }],
      },
    };
    const createdUsers = (await send(HttpMethod.POST, flows, createProvisioningFlowFromDiscriminatorValue, { value: users, serializer: serializeUserProvisioningFlow })) as UserProvisioningFlow | undefined;
    assert.equal(createdUsers?.managementOptions?.additionalOptions?.studentAgeGroup, 'notAdult');
    const configuration = createdUsers?.creationOptions?.configurations?.[0];
    assert.equal(configuration?.defaultPasswordSettings?.odataType, '#microsoft.graph.industryData.simplePasswordSettings');
    assert.equal(configuration?.roleGroup?.id, 'students');

    const listed = await send<ProvisioningFlowCollectionResponse>(HttpMethod.GET, flows, createProvisioningFlowCollectionResponseFromDiscriminatorValue);
    assert.deepEqual(listed?.value?.map((f) => f.odataType).sort(), ['#microsoft.graph.industryData.classGroupProvisioningFlow', '#microsoft.graph.industryData.userProvisioningFlow']);
  });
});
