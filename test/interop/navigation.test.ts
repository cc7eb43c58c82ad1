// Navigation properties read the way the official beta SDK's request builders read them: Kiota's
// RequestInformation with each builder's URL template, sent through the SDK's GraphBetaRequestAdapter
// (its middleware, its JSON parse nodes), and parsed with the SDK's model factories. (The
// identityGovernance and external request-builder packages are not on this machine's registry;
// their builders do exactly this with these templates.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Parsable, ParsableFactory } from '@microsoft/kiota-abstractions';
import { BaseBearerTokenAuthenticationProvider, HttpMethod, RequestInformation } from '@microsoft/kiota-abstractions';
import { GraphBetaRequestAdapter } from '@microsoft/msgraph-beta-sdk';
import type { UnifiedRoleManagementAlertConfiguration, UnifiedRoleManagementAlertDefinition } from '@microsoft/msgraph-beta-sdk/models/index.js';
import {
  createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
  createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue,
} from '@microsoft/msgraph-beta-sdk/models/index.js';
import type { AzureDataLakeConnector, InboundFileFlow, YearTimePeriodDefinition } from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import {
  createIndustryDataConnectorFromDiscriminatorValue,
  createInboundFlowFromDiscriminatorValue,
  createYearTimePeriodDefinitionFromDiscriminatorValue,
} from '@microsoft/msgraph-beta-sdk/models/industryData/index.js';
import { pglite } from '../support/backends.js';
import type { ClientSuite, Json } from './support.js';
import { alertId, createConnector, INDUSTRY_ROOT, startClientSuite } from './support.js';

const ALERT = '{+baseurl}/identityGovernance/roleManagementAlerts/alerts/{unifiedRoleManagementAlert%2Did}';
const CONFIGURATION = '{+baseurl}/identityGovernance/roleManagementAlerts/alertConfigurations/{unifiedRoleManagementAlertConfiguration%2Did}';
const FLOW = '{+baseurl}/external/industryData/inboundFlows/{inboundFlow%2Did}';

describe('navigation properties through the beta SDK’s request adapter', () => {
  let s: ClientSuite;
  let adapter: GraphBetaRequestAdapter;
  let flowId: string;
  let connectorId: string;
  let yearId: string;

  /** GET `template` (a request builder's URL template) with its path parameters, parsed by `factory`. */
  const get = <T extends Parsable>(template: string, parameters: Record<string, string>, factory: ParsableFactory<T>, query: Record<string, unknown> = {}) => {
    const info = new RequestInformation(HttpMethod.GET, `${template}{?%24expand,%24select}`, { ...parameters, ...query });
    info.headers.tryAdd('Accept', 'application/json');
    return adapter.send<T>(info, factory, undefined);
  };

  before(async () => {
    s = await startClientSuite(pglite, { users: 20 });
    const token = await s.ts.token({ scopes: ['RoleManagementAlert.Read.Directory', 'IndustryData-TimePeriod.ReadWrite.All', 'IndustryData-InboundFlow.ReadWrite.All', 'IndustryData-DataConnector.Read.All'], wids: ['f2ef992c-3afb-46b9-b7cf-a126ee74c451'] });
    adapter = new GraphBetaRequestAdapter(
      new BaseBearerTokenAuthenticationProvider({ getAuthorizationToken: async () => token, getAllowedHostsValidator: () => ({ isUrlHostValid: () => true }) as never }),
    );
    adapter.baseUrl = `${s.ts.url}/beta`;
    connectorId = String((await createConnector(s)).id);
    const year = await fetch(`${s.ts.url}${INDUSTRY_ROOT}/years`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: '2024-25', startDate: '2024-09-01', endDate: '2025-06-30', year: { code: '2025' } }),
    });
    assert.equal(year.status, 201, await year.clone().text());
    yearId = String(((await year.json()) as Json).id);
    const flow = await s.call('POST', `${INDUSTRY_ROOT}/inboundFlows`, {
      body: {
        '@odata.type': '#microsoft.graph.industryData.inboundFileFlow',
        'dataConnector@odata.bind': `https://graph.microsoft.com/beta/external/industryData/dataConnectors('${connectorId}')`,
        'year@odata.bind': `https://graph.microsoft.com/beta/external/industryData/years('${yearId}')`,
        displayName: 'Rostering',
        dataDomain: 'educationRostering',
        effectiveDateTime: '2024-09-01T00:00:00Z',
      },
    });
    assert.equal(flow.status, 201, await flow.clone().text());
    flowId = String(((await flow.json()) as Json).id);
  });
  after(() => s?.close());

  test('alerts/{id}/alertDefinition and alerts/{id}/alertConfiguration', async () => {
    const id = alertId('StaleSignInAlert');
    const definition = await get<UnifiedRoleManagementAlertDefinition>(`${ALERT}/alertDefinition`, { 'unifiedRoleManagementAlert%2Did': id }, createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue);
    assert.equal(definition?.id, id);
    assert.equal(definition?.severityLevel, 'medium');
    assert.equal(definition?.isRemediatable, true);
    const configuration = await get<UnifiedRoleManagementAlertConfiguration & { duration?: unknown }>(
      `${ALERT}/alertConfiguration`,
      { 'unifiedRoleManagementAlert%2Did': id },
      createUnifiedRoleManagementAlertConfigurationFromDiscriminatorValue,
    );
    assert.equal(configuration?.odataType, '#microsoft.graph.staleSignInAlertConfiguration');
    assert.equal(configuration?.isEnabled, true);
    assert.equal(String(configuration?.duration), 'P30D');
  });

  test('alertConfigurations/{id}/alertDefinition, with $select', async () => {
    const id = alertId('TooManyGlobalAdminsAssignedToTenantAlert');
    const definition = await get<UnifiedRoleManagementAlertDefinition>(
      `${CONFIGURATION}/alertDefinition`,
      { 'unifiedRoleManagementAlertConfiguration%2Did': id },
      createUnifiedRoleManagementAlertDefinitionFromDiscriminatorValue,
      { '%24select': ['displayName', 'isConfigurable'] },
    );
    assert.deepEqual([definition?.displayName, definition?.isConfigurable, definition?.description], ['There are too many Global Administrators', true, undefined]);
  });

  test('inboundFlows/{id}/dataConnector and inboundFlows/{id}/year', async () => {
    const connector = await get<AzureDataLakeConnector>(`${FLOW}/dataConnector`, { 'inboundFlow%2Did': flowId }, createIndustryDataConnectorFromDiscriminatorValue);
    assert.equal(connector?.id, connectorId);
    assert.equal(connector?.fileFormat?.code, 'schoolDataSyncV2Rev1');
    const year = await get<YearTimePeriodDefinition>(`${FLOW}/year`, { 'inboundFlow%2Did': flowId }, createYearTimePeriodDefinitionFromDiscriminatorValue);
    assert.equal(year?.id, yearId);
    assert.equal(year?.displayName, '2024-25');
    assert.equal(year?.startDate?.toString(), '2024-09-01');
    assert.equal(year?.year?.code, '2025');
    const flow = await get<InboundFileFlow>(FLOW, { 'inboundFlow%2Did': flowId }, createInboundFlowFromDiscriminatorValue, { '%24expand': ['year'] });
    assert.equal(flow?.odataType, '#microsoft.graph.industryData.inboundFileFlow');
    assert.equal(flow?.year?.id, yearId);
  });
});
