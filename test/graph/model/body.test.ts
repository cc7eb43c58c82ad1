// The generic body reader on a small declared model: every class of mistake is a Graph 400 whose
// `target` names the property (nested ones by their path), and what passes comes out typed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GraphError } from '../../../src/errors.js';
import { bindTarget, readCreate, readParameters, readUpdate } from '../../../src/graph/model/body.js';
import type { EntityCollection } from '../../../src/graph/model/collection.js';
import { complexType, ENTITY, entityType, enumType } from '../../../src/graph/model/edm.js';
import { sql } from '../../../src/db/sql.js';

const NS = 'example.model';
const shelfType = entityType(NS, 'shelf', { baseType: ENTITY, properties: { label: { type: 'Edm.String' } } });
const color = enumType(NS, 'color', ['red', 'green', 'unknownFutureValue']);
const tag = complexType(NS, 'tag', { properties: { code: { type: 'Edm.String', required: true, maxLength: 5 } } });
const placement = complexType(NS, 'placement', {
  properties: { row: { type: 'Edm.Int32', min: 0, max: 9 }, tag: { type: tag } },
  navigations: { shelf: { type: () => shelfType, bindable: 'example/shelves' } },
});
const bookType = entityType(NS, 'book', {
  baseType: ENTITY,
  abstract: true,
  properties: {
    title: { type: 'Edm.String', required: true, maxLength: 10 },
    pages: { type: 'Edm.Int32', min: 1 },
    isLent: { type: 'Edm.Boolean', refuseNull: true },
    published: { type: 'Edm.Date' },
    addedDateTime: { type: 'Edm.DateTimeOffset' },
    loanPeriod: { type: 'Edm.Duration', min: 86_400_000, max: 30 * 86_400_000, wholeDays: true },
    cover: { type: color, accepted: ['red', 'green'] },
    placements: { type: placement, collection: true, maxItems: 2 },
    createdBy: { type: 'Edm.String', readOnly: true },
  },
  navigations: { shelf: { type: () => shelfType, bindable: 'example/shelves', required: true }, author: { type: () => shelfType } },
});
const paperback = entityType(NS, 'paperback', { baseType: bookType });

const books: EntityCollection = {
  what: 'book',
  type: bookType,
  types: [paperback],
  columns: {},
  rows: () => sql`SELECT 1`,
  permissions: { read: { delegated: [], application: [] } },
  unsupportedTypes: [`${NS}.hardcover`],
  validate(values) {
    if (values.title === 'forbidden') throw new GraphError(400, 'BadRequest', 'Not that title.', { target: 'title' });
  },
};

const valid = { title: 'Dune', 'shelf@odata.bind': "https://graph.microsoft.com/beta/example/shelves('s-1')" };

/** The 400 of a create with `body`: its target and message. */
function refused(body: unknown, read: (body: unknown) => unknown = (b) => readCreate(books, b)): { target?: string; message: string } {
  try {
    read(body);
  } catch (err) {
    assert.ok(err instanceof GraphError, String(err));
    assert.equal(err.status, 400, err.message);
    assert.equal(err.code, 'BadRequest');
    return { target: err.options.target, message: err.message };
  }
  assert.fail(`accepted: ${JSON.stringify(body)}`);
}

describe('readCreate', () => {
  test('a valid body: values typed, the binding as the bound key, the only concrete type chosen', () => {
    const { type, values } = readCreate(books, {
      ...valid,
      pages: 412,
      isLent: false,
      published: '1965-08-01',
      addedDateTime: '2024-01-02T03:04:05Z',
      loanPeriod: 'P14D',
      cover: 'red',
      placements: [{ row: 2, tag: { code: 'SF' }, 'shelf@odata.bind': 'example/shelves/s-2' }],
    });
    assert.equal(type, paperback);
    assert.deepEqual(values, {
      title: 'Dune',
      shelf: 's-1',
      pages: 412,
      isLent: false,
      published: '1965-08-01',
      addedDateTime: '2024-01-02T03:04:05Z',
      loanPeriod: 14 * 86_400_000,
      cover: 'red',
      placements: [{ row: 2, tag: { code: 'SF' }, shelf: 's-2' }],
    });
  });

  test('the body itself', () => {
    assert.match(refused(undefined).message, /A request body is required/);
    assert.match(refused([]).message, /must be a JSON object/);
    assert.match(refused('text').message, /must be a JSON object/);
  });

  test('each class of mistake names its property in target', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ 'shelf@odata.bind': valid['shelf@odata.bind'] }, 'title', /'title' is required to create a book/],
      [{ title: 'Dune' }, 'shelf@odata.bind', /'shelf@odata.bind' is required/],
      [{ ...valid, colour: 'red' }, 'colour', /'colour' does not exist on type 'example.model.paperback'/],
      [{ ...valid, createdBy: 'me' }, 'createdBy', /read-only/],
      [{ ...valid, author: { id: 'x' } }, 'author', /navigation property; bind it with 'author@odata.bind'/],
      [{ ...valid, 'author@odata.bind': 'example/shelves/s-1' }, 'author@odata.bind', /does not exist on type/],
      [{ ...valid, 'shelf@odata.bind': 'https://graph.microsoft.com/beta/users/1' }, 'shelf@odata.bind', /expected the URL of an entity of example\/shelves/],
      [{ ...valid, 'shelf@odata.bind': 7 }, 'shelf@odata.bind', /expected the URL/],
      [{ ...valid, title: 7 }, 'title', /expected a string/],
      [{ ...valid, title: ' ' }, 'title', /cannot be empty/],
      [{ ...valid, title: 'x'.repeat(11) }, 'title', /longer than 10 characters/],
      [{ ...valid, title: 'a\u0000b' }, 'title', /U\+0000/],
      [{ ...valid, pages: 0 }, 'pages', /whole number from 1 to 2147483647/],
      [{ ...valid, pages: 1.5 }, 'pages', /whole number/],
      [{ ...valid, pages: '12' }, 'pages', /whole number/],
      [{ ...valid, isLent: 'true' }, 'isLent', /expected true or false/],
      [{ ...valid, isLent: null }, 'isLent', /cannot be null/],
      [{ ...valid, published: '1965-02-30' }, 'published', /expected a Date/],
      [{ ...valid, addedDateTime: 'yesterday' }, 'addedDateTime', /expected a DateTimeOffset/],
      [{ ...valid, loanPeriod: 'P1M' }, 'loanPeriod', /ISO 8601 duration/],
      [{ ...valid, loanPeriod: 'PT36H' }, 'loanPeriod', /whole number of days/],
      [{ ...valid, loanPeriod: 'P31D' }, 'loanPeriod', /from P1D to P30D/],
      [{ ...valid, cover: 'blue' }, 'cover', /'blue' is not one of 'red', 'green'/],
      [{ ...valid, cover: 'unknownFutureValue' }, 'cover', /is not one of/],
      [{ ...valid, placements: {} }, 'placements', /expected an array/],
      [{ ...valid, placements: [{}, {}, {}] }, 'placements', /more than 2 items/],
      [{ ...valid, placements: ['x'] }, 'placements[0]', /expected an object/],
      [{ ...valid, placements: [{ row: 10 }] }, 'placements[0].row', /from 0 to 9/],
      [{ ...valid, placements: [{ tag: {} }] }, 'placements[0].tag.code', /'placements\[0\].tag.code' is required/],
      [{ ...valid, placements: [{ tag: { code: 'x', kode: 'y' } }] }, 'placements[0].tag.kode', /does not exist on type 'example.model.tag'/],
      [{ ...valid, placements: [{ tag: { '@odata.type': '#example.model.placement', code: 'x' } }] }, 'placements[0].tag', /'placements\[0\].tag' is of type '#example.model.tag'/],
      [{ ...valid, placements: [{ shelf: {} }] }, 'placements[0].shelf', /bind it with 'shelf@odata.bind'/],
      [{ ...valid, placements: [{ 'shelf@odata.bind': 'elsewhere/1' }] }, 'placements[0].shelf@odata.bind', /example\/shelves/],
      [{ ...valid, '@odata.type': 7 }, '@odata.type', /expected a string/],
      [{ ...valid, '@odata.type': '#example.model.hardcover' }, '@odata.type', /Books of type '#example.model.hardcover' are not supported by this service; use '#example.model.paperback'/],
      [{ ...valid, '@odata.type': '#example.model.shelf' }, '@odata.type', /which is not a book type/],
      [{ ...valid, title: 'forbidden' }, 'title', /Not that title/],
    ];
    for (const [body, target, message] of cases) {
      const error = refused(body);
      assert.equal(error.target, target, `${JSON.stringify(body)}: ${error.message}`);
      assert.match(error.message, message, JSON.stringify(body));
    }
  });

  test('bindings: absolute or relative URLs, the key as (\'id\'), (id) or /id', () => {
    for (const url of [
      "https://graph.microsoft.com/beta/example/shelves('s-1')",
      'https://graph.microsoft.com/v1.0/example/shelves/s-1',
      '/example/shelves(s-1)',
      "example/shelves('s-1')",
      'example/shelves%28%27s-1%27%29',
    ]) {
      assert.equal(bindTarget(url, 'shelf@odata.bind', 'example/shelves'), 's-1', url);
    }
    assert.equal(bindTarget("example/shelves('it''s')", 't', 'example/shelves'), "it's");
  });
});

describe('readUpdate', () => {
  const row = { id: 'b-1', title: 'Dune' };
  test('only what the body sets; an empty body sets nothing', () => {
    assert.deepEqual(readUpdate(books, { pages: 3, 'shelf@odata.bind': 'example/shelves/s-9' }, row), { pages: 3, shelf: 's-9' });
    const { message, target } = refused({}, (b) => readUpdate(books, b, row));
    assert.equal(target, undefined);
    assert.match(message, /sets nothing; properties that can be updated: 'title', 'pages', .*'shelf@odata.bind'/);
  });

  test("@odata.type must be the entity's own", () => {
    assert.deepEqual(readUpdate(books, { '@odata.type': '#example.model.paperback', pages: 3 }, row), { pages: 3 });
    const { target, message } = refused({ '@odata.type': '#example.model.hardcover', pages: 3 }, (b) => readUpdate(books, b, row));
    assert.equal(target, '@odata.type');
    assert.match(message, /book 'b-1' is of type '#example.model.paperback'/);
    const required = refused({ pages: 3 }, (b) => readUpdate({ ...books, bodyType: { update: 'required' } }, b, row));
    assert.equal(required.target, '@odata.type');
  });
});

describe('readParameters', () => {
  const parameters = { scopeId: { type: 'Edm.String' as const, required: true, accepted: ['/'] }, force: { type: 'Edm.Boolean' as const } };
  test('declared parameters only, required ones present, values checked', () => {
    assert.deepEqual(readParameters('refresh', parameters, { scopeId: '/', force: true }), { scopeId: '/', force: true });
    assert.equal(refused({ force: true }, (b) => readParameters('refresh', parameters, b)).target, 'scopeId');
    assert.match(refused({ scopeId: '/', extra: 1 }, (b) => readParameters('refresh', parameters, b)).message, /The action 'refresh' has no parameter 'extra'/);
    assert.match(refused({ scopeId: '/x' }, (b) => readParameters('refresh', parameters, b)).message, /parameter 'scopeId': only '\/' is supported; got '\/x'/);
  });

  test('an action without parameters takes no body, or {}', () => {
    assert.deepEqual(readParameters('validate', {}, undefined), {});
    assert.deepEqual(readParameters('validate', {}, {}), {});
    assert.match(refused({ force: true }, (b) => readParameters('validate', {}, b)).message, /takes no parameters/);
  });
});
