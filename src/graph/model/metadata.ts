// `GET /beta/$metadata`: the CSDL (OData 4.0 XML) of everything the service serves, written from
// the declarations: every type reachable from the singletons and the bound actions (base types,
// property types, navigation targets), one <Schema> per namespace, and the entity container.
import type { BoundAction } from './action.js';
import type { EntityType, NamedType, Property, StructuredType } from './edm.js';
import { GRAPH, KEY, qualifiedName, typeName } from './edm.js';

export interface Singleton {
  name: string;
  type: EntityType;
}

export interface ServedModel {
  singletons: readonly Singleton[];
  actions: readonly BoundAction[];
  /** Types no navigation reaches: derived types of served entities (an alert's configuration type). */
  types: readonly NamedType[];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const attributes = (values: Record<string, string | undefined>) =>
  Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escape(v!)}"`)
    .join('');

/** Every type the model refers to, each once, in the order first reached. */
function reachable(model: ServedModel): NamedType[] {
  const seen = new Set<NamedType>();
  const visit = (type: NamedType) => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.kind === 'enum') return;
    if (type.baseType) visit(type.baseType);
    for (const property of Object.values(type.properties)) if (typeof property.type === 'object') visit(property.type);
    for (const navigation of Object.values(type.navigations)) visit(navigation.type());
  };
  for (const singleton of model.singletons) visit(singleton.type);
  for (const type of model.types) visit(type);
  for (const action of model.actions) {
    visit(action.binding);
    for (const p of [...Object.values(action.parameters ?? {}), ...(action.returns ? [action.returns] : [])]) if (typeof p.type === 'object') visit(p.type);
  }
  return [...seen];
}

const propertyXml = (name: string, property: Property) =>
  `<Property${attributes({ Name: name, Type: typeName(property), Nullable: property.nullable === false ? 'false' : undefined })} />`;

function structuredXml(type: StructuredType & { kind: 'entity' | 'complex' }): string[] {
  const element = type.kind === 'entity' ? 'EntityType' : 'ComplexType';
  const head = `<${element}${attributes({ Name: type.name, BaseType: type.baseType && qualifiedName(type.baseType), Abstract: type.abstract ? 'true' : undefined })}`;
  const body: string[] = [];
  if (type.kind === 'entity' && !type.baseType && Object.hasOwn(type.properties, KEY)) body.push(`<Key><PropertyRef Name="${KEY}" /></Key>`);
  for (const [name, property] of Object.entries(type.properties)) body.push(propertyXml(name, property));
  for (const [name, navigation] of Object.entries(type.navigations)) {
    const target = qualifiedName(navigation.type());
    body.push(
      `<NavigationProperty${attributes({
        Name: name,
        Type: navigation.collection ? `Collection(${target})` : target,
        ContainsTarget: navigation.containsTarget ? 'true' : undefined,
      })} />`,
    );
  }
  return body.length ? [`${head}>`, ...body.map((line) => `  ${line}`), `</${element}>`] : [`${head} />`];
}

function actionXml(action: BoundAction): string[] {
  const element = action.kind === 'action' ? 'Action' : 'Function';
  const binding = qualifiedName(action.binding);
  const lines = [`<Parameter Name="bindingParameter" Type="${action.collection ? `Collection(${binding})` : binding}" />`];
  for (const [name, p] of Object.entries(action.parameters ?? {})) {
    lines.push(`<Parameter${attributes({ Name: name, Type: typeName(p), Nullable: p.nullable === false ? 'false' : undefined })} />`);
  }
  if (action.returns) lines.push(`<ReturnType Type="${typeName(action.returns)}" />`);
  return [`<${element} Name="${action.name}" IsBound="true">`, ...lines.map((l) => `  ${l}`), `</${element}>`];
}

export function metadataXml(model: ServedModel): string {
  const byNamespace = new Map<string, string[]>();
  const add = (namespace: string, lines: string[]) => byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), ...lines]);
  const types = reachable(model);
  for (const type of types.filter((t) => t.kind === 'enum')) {
    add(type.namespace, [`<EnumType Name="${type.name}">`, ...type.members.map((m) => `  <Member Name="${m.name}" Value="${m.value}" />`), '</EnumType>']);
  }
  for (const type of types) if (type.kind === 'complex') add(type.namespace, structuredXml(type));
  for (const type of types) if (type.kind === 'entity') add(type.namespace, structuredXml(type));
  for (const action of model.actions) add(action.namespace, actionXml(action));
  add(GRAPH, [
    '<EntityContainer Name="GraphService">',
    ...model.singletons.map((s) => `  <Singleton Name="${s.name}" Type="${qualifiedName(s.type)}" />`),
    '</EntityContainer>',
  ]);
  const namespaces = [...byNamespace.keys()].sort((a, b) => (a === GRAPH ? -1 : b === GRAPH ? 1 : a.localeCompare(b)));
  const schemas = namespaces.flatMap((ns) => [
    `    <Schema Namespace="${ns}" xmlns="http://docs.oasis-open.org/odata/ns/edm">`,
    ...byNamespace.get(ns)!.map((line) => `      ${line}`),
    '    </Schema>',
  ]);
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
    '  <edmx:DataServices>',
    ...schemas,
    '  </edmx:DataServices>',
    '</edmx:Edmx>',
    '',
  ].join('\n');
}
