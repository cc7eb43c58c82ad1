// $filter: a small strict recursive-descent parser for a subset of the OData v4 ABNF, checked
// against the route's ResourceSpec as it parses.
//
// Why not an npm parser: odata-v4-parser (JayStack) and its fork @odata/parser are unmaintained
// (last releases 2018 and 2023) and return generic token trees that know nothing of our
// properties, so every type and property check, and Graph's 400 messages naming the offending
// property, would still have to be written on top; odata-parser (auth0) is an OData v2 PEG
// grammar. The subset below is a few hundred lines we fully control, bounded in length and depth.
//
// Precedence: `or` < `and` < `not` < comparison. `not` applies to the comparison that follows
// (`not a eq 1` is `not (a eq 1)`). Keywords, operators and `true`/`false`/`null` are
// case-sensitive, as in OData.
import { badRequest } from '../../errors.js';
import type { PropertySpec, ResourceSpec } from './resource.js';
import { edmType, resolveProperty } from './resource.js';

export const MAX_FILTER_LENGTH = 4096;
export const MAX_FILTER_DEPTH = 32;

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FunctionName = 'startswith' | 'endswith' | 'contains';

export type Literal =
  | { type: 'null' }
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'datetime'; value: string }
  /** `enumType` is kept only while parsing the qualified form `ns.type'member'`. */
  | { type: 'enum'; value: string; enumType?: string };

export type FilterNode =
  | { kind: 'and' | 'or'; operands: FilterNode[] }
  | { kind: 'not'; operand: FilterNode }
  /** `property` is a name or a path such as `alertConfiguration/isEnabled`. */
  | { kind: 'compare'; op: CompareOp; property: string; value: Literal }
  | { kind: 'in'; property: string; values: Literal[] }
  | { kind: 'call'; fn: FunctionName; property: string; value: string };

const COMPARE_OPS: readonly string[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const FUNCTIONS: readonly string[] = ['startswith', 'endswith', 'contains'];
const RESERVED: readonly string[] = ['and', 'or', 'not', 'in', ...COMPARE_OPS];
const UNSUPPORTED_OPS: readonly string[] = ['has', 'add', 'sub', 'mul', 'div', 'divby', 'mod'];
const FLIPPED: Record<CompareOp, CompareOp> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,12})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** An OData DateTimeOffset (ISO 8601 with `Z` or an offset) naming a real instant PostgreSQL accepts. */
export function isDateTimeOffset(text: string): boolean {
  const m = DATETIME.exec(text);
  if (!m) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = m.slice(1).map((g) => Number(g ?? 0));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return year >= 1 && days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 14 && offsetMinute <= 59;
}

type Token =
  | { t: 'ident'; v: string; pos: number; text: string }
  | { t: 'string'; v: string; pos: number; text: string }
  | { t: 'enum'; type: string; v: string; pos: number; text: string }
  | { t: 'int' | 'datetime'; v: string; pos: number; text: string }
  /** `bad` is a character outside the grammar, reported when the parser reaches it. */
  | { t: '(' | ')' | ',' | '/' | 'bad' | 'end'; pos: number; text: string };

const WS = /[ \t]*/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
// Loose on purpose, then checked strictly, so a bad date is reported as one. A space before the
// offset is read as `+`: an unencoded `+` in a query string arrives decoded as a space.
const DATETIME_LOOSE = /\d{4}-\d{2}-\d{2}(?:T[0-9:.]*(?:Z|[+-]\d{2}:\d{2}| \d{2}:\d{2}(?![0-9:]))?)?/y;
const INT = /-?\d+/y;

const match = (re: RegExp, text: string, pos: number) => {
  re.lastIndex = pos;
  return re.exec(text)?.[0];
};

class Parser {
  private readonly tokens: Token[] = [];
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly spec: ResourceSpec,
    private readonly label: string,
  ) {
    this.tokenize();
  }

  private fail(message: string): never {
    throw badRequest(`Invalid ${this.label}: ${message}`);
  }

  private unexpected(token: Token): never {
    this.fail(token.t === 'end' ? `unexpected end of expression.` : `syntax error at position ${token.pos}: unexpected '${token.text}'.`);
  }

  private tokenize() {
    const { text } = this;
    let pos = match(WS, text, 0)?.length ?? 0;
    while (pos < text.length) {
      const start = pos;
      const c = text[pos] as string;
      let token: Token;
      let raw: string | undefined;
      if (c === '(' || c === ')' || c === ',' || c === '/') {
        token = { t: c, pos, text: c };
        pos += 1;
      } else if (c === "'") {
        const { value, end } = this.readString(pos);
        pos = end;
        token = { t: 'string', v: value, pos: start, text: text.slice(start, end) };
      } else if ((raw = match(DATETIME_LOOSE, text, pos)) !== undefined) {
        const value = raw.replace(/ (?=\d{2}:\d{2}$)/, '+');
        if (!isDateTimeOffset(value)) this.fail(`'${raw}' is not a valid DateTimeOffset literal (expected e.g. 2024-01-02T03:04:05Z).`);
        pos += raw.length;
        token = { t: 'datetime', v: value, pos: start, text: raw };
      } else if ((raw = match(INT, text, pos)) !== undefined) {
        pos += raw.length;
        token = { t: 'int', v: raw, pos: start, text: raw };
      } else if ((raw = match(IDENT, text, pos)) !== undefined) {
        pos += raw.length;
        if (text[pos] === "'") {
          if (!raw.includes('.')) this.fail(`syntax error at position ${start}: unsupported literal '${raw}'.`);
          const { value, end } = this.readString(pos);
          pos = end;
          token = { t: 'enum', type: raw, v: value, pos: start, text: text.slice(start, end) };
        } else {
          token = { t: 'ident', v: raw, pos: start, text: raw };
        }
      } else {
        token = { t: 'bad', pos, text: c };
        pos += 1;
      }
      this.tokens.push(token);
      pos += match(WS, text, pos)?.length ?? 0;
    }
    this.tokens.push({ t: 'end', pos, text: '' });
  }

  private readString(start: number): { value: string; end: number } {
    let value = '';
    let pos = start + 1;
    for (;;) {
      const close = this.text.indexOf("'", pos);
      if (close < 0) this.fail(`unterminated string literal at position ${start}.`);
      value += this.text.slice(pos, close);
      if (this.text[close + 1] !== "'") return { value, end: close + 1 };
      value += "'";
      pos = close + 2;
    }
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.t !== 'end') this.i += 1;
    return token;
  }

  private isWord(word: string): boolean {
    const token = this.peek();
    return token.t === 'ident' && token.v === word;
  }

  private expect(t: Token['t']): Token {
    const token = this.next();
    if (token.t !== t) this.unexpected(token);
    return token;
  }

  parse(): FilterNode {
    const node = this.parseOr(0);
    const token = this.peek();
    if (token.t === 'ident' && UNSUPPORTED_OPS.includes(token.v)) this.fail(`the operator '${token.v}' is not supported.`);
    if (token.t !== 'end') this.unexpected(token);
    return node;
  }

  private parseOr(depth: number): FilterNode {
    const operands = [this.parseAnd(depth)];
    while (this.isWord('or')) {
      this.next();
      operands.push(this.parseAnd(depth));
    }
    return operands.length === 1 ? (operands[0] as FilterNode) : { kind: 'or', operands };
  }

  private parseAnd(depth: number): FilterNode {
    const operands = [this.parseUnary(depth)];
    while (this.isWord('and')) {
      this.next();
      operands.push(this.parseUnary(depth));
    }
    return operands.length === 1 ? (operands[0] as FilterNode) : { kind: 'and', operands };
  }

  private parseUnary(depth: number): FilterNode {
    if (depth >= MAX_FILTER_DEPTH) this.fail(`the expression is nested too deeply (at most ${MAX_FILTER_DEPTH} levels).`);
    if (this.isWord('not')) {
      this.next();
      return { kind: 'not', operand: this.parseUnary(depth + 1) };
    }
    if (this.peek().t === '(') {
      this.next();
      const node = this.parseOr(depth + 1);
      this.expect(')');
      return node;
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterNode {
    const left = this.parseOperand();
    if (left.kind === 'call') return left;
    const token = this.peek();
    if (token.t === 'ident' && COMPARE_OPS.includes(token.v)) {
      this.next();
      const right = this.parseOperand();
      if (right.kind === 'call') this.fail(`a function call cannot be compared; use it as a condition on its own.`);
      if (left.kind === 'path' && right.kind === 'literal') return this.compare(token.v as CompareOp, left.path, right.literal);
      if (left.kind === 'literal' && right.kind === 'path') return this.compare(FLIPPED[token.v as CompareOp], right.path, left.literal);
      for (const side of [left, right]) if (side.kind === 'path') this.property(side.path);
      this.fail(`the operator '${token.v}' at position ${token.pos} must compare a property with a literal value.`);
    }
    if (token.t === 'ident' && token.v === 'in') {
      this.next();
      if (left.kind !== 'path') this.fail(`the left operand of 'in' at position ${token.pos} must be a property.`);
      return this.parseIn(left.path);
    }
    if (left.kind === 'path' && this.property(left.path).type === 'boolean') {
      return { kind: 'compare', op: 'eq', property: left.path, value: { type: 'boolean', value: true } };
    }
    if (token.t === 'ident' && UNSUPPORTED_OPS.includes(token.v)) this.fail(`the operator '${token.v}' is not supported.`);
    const found = token.t === 'end' ? 'the end of the expression' : `'${token.text}'`;
    this.fail(`expected a comparison operator after '${left.kind === 'path' ? left.path : left.text}' at position ${token.pos}, found ${found}.`);
  }

  private parseOperand():
    | { kind: 'path'; path: string }
    | { kind: 'literal'; literal: Literal; text: string }
    | Extract<FilterNode, { kind: 'call' }> {
    const token = this.next();
    switch (token.t) {
      case 'string':
        return { kind: 'literal', literal: { type: 'string', value: token.v }, text: token.text };
      case 'datetime':
        return { kind: 'literal', literal: { type: 'datetime', value: token.v }, text: token.text };
      case 'enum':
        return { kind: 'literal', literal: { type: 'enum', value: token.v, enumType: token.type }, text: token.text };
      case 'int': {
        const value = Number(token.v);
        if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) this.fail(`the integer ${token.v} is out of range.`);
        return { kind: 'literal', literal: { type: 'int', value }, text: token.text };
      }
      case 'ident':
        if (token.v === 'true' || token.v === 'false') return { kind: 'literal', literal: { type: 'boolean', value: token.v === 'true' }, text: token.v };
        if (token.v === 'null') return { kind: 'literal', literal: { type: 'null' }, text: token.v };
        if (RESERVED.includes(token.v)) this.unexpected(token);
        if (this.peek().t === '(') return this.parseCall(token.v);
        return { kind: 'path', path: this.parsePath(token.v) };
      default:
        this.unexpected(token);
    }
  }

  private parsePath(first: string): string {
    const segments = [first];
    while (this.peek().t === '/') {
      this.next();
      const token = this.expect('ident') as Extract<Token, { t: 'ident' }>;
      if ((token.v === 'any' || token.v === 'all') && this.peek().t === '(') this.fail(`the lambda operator '${token.v}' is not supported.`);
      segments.push(token.v);
    }
    return segments.join('/');
  }

  private parseCall(name: string): Extract<FilterNode, { kind: 'call' }> {
    if (!FUNCTIONS.includes(name)) this.fail(`the function '${name}' is not supported.`);
    this.expect('(');
    const arg = this.next();
    if (arg.t !== 'ident' || RESERVED.includes(arg.v) || ['true', 'false', 'null'].includes(arg.v)) {
      this.fail(`the first argument of '${name}' must be a property.`);
    }
    const path = this.parsePath(arg.v);
    this.expect(',');
    const value = this.next();
    if (value.t !== 'string') this.fail(`the second argument of '${name}' must be a string literal.`);
    this.expect(')');
    const property = this.property(path);
    if (property.type !== 'string') this.fail(`the function '${name}' cannot be applied to property '${path}' of type ${edmType(property)}.`);
    return { kind: 'call', fn: name as FunctionName, property: path, value: value.v };
  }

  private parseIn(path: string): FilterNode {
    this.expect('(');
    const values: Literal[] = [];
    for (;;) {
      const operand = this.parseOperand();
      if (operand.kind !== 'literal') this.fail(`the list after 'in' must contain literal values only.`);
      if (operand.literal.type === 'null') this.fail(`null cannot be used in the list after 'in'; use 'eq null'.`);
      values.push(this.coerce(path, operand.literal, 'in'));
      const token = this.next();
      if (token.t === ')') break;
      if (token.t !== ',') this.unexpected(token);
    }
    return { kind: 'in', property: path, values };
  }

  private property(path: string): PropertySpec {
    const property = resolveProperty(this.spec, path);
    if (property.filterable === false) throw badRequest(`The property '${path}' cannot be used in the ${this.label} query option.`);
    return property;
  }

  private compare(op: CompareOp, path: string, literal: Literal): FilterNode {
    if (literal.type === 'null') {
      this.property(path);
      if (op !== 'eq' && op !== 'ne') this.fail(`null can only be compared with 'eq' or 'ne'.`);
      return { kind: 'compare', op, property: path, value: literal };
    }
    return { kind: 'compare', op, property: path, value: this.coerce(path, literal, op) };
  }

  /** Checks a literal against the property's type and returns it in the property's terms. */
  private coerce(path: string, literal: Exclude<Literal, { type: 'null' }>, op: CompareOp | 'in'): Literal {
    const property = this.property(path);
    if ((property.type === 'enum' || property.type === 'boolean') && op !== 'eq' && op !== 'ne' && op !== 'in') {
      this.fail(`the operator '${op}' cannot be applied to property '${path}' of type ${edmType(property)}.`);
    }
    if (property.type !== 'enum') {
      if (literal.type === property.type) return literal;
    } else if (literal.type === 'string' || (literal.type === 'enum' && (property.enumType ?? literal.enumType) === literal.enumType)) {
      if (property.values && !property.values.includes(literal.value)) {
        this.fail(`'${literal.value}' is not a valid value of property '${path}' (${edmType(property)}: ${property.values.join(', ')}).`);
      }
      return { type: 'enum', value: literal.value };
    }
    this.fail(`property '${path}' is of type ${edmType(property)} and cannot be compared with ${describe(literal)}.`);
  }
}

function describe(literal: Exclude<Literal, { type: 'null' }>): string {
  switch (literal.type) {
    case 'string': return `the Edm.String literal '${literal.value.replace(/'/g, "''")}'`;
    case 'int': return `the Edm.Int32 literal ${literal.value}`;
    case 'boolean': return `the Edm.Boolean literal ${literal.value}`;
    case 'datetime': return `the Edm.DateTimeOffset literal ${literal.value}`;
    case 'enum': return `the enum literal ${literal.enumType ?? 'enum'}'${literal.value}'`;
  }
}

/**
 * Parses and type-checks `$filter` against `spec`. `label` names the option in messages
 * (e.g. `$filter in $expand 'alertIncidents'`). Every error is a 400.
 */
export function parseFilter(text: string, spec: ResourceSpec, label = '$filter'): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest(`Invalid ${label}: the expression is longer than ${MAX_FILTER_LENGTH} characters.`);
  if (text.trim() === '') throw badRequest(`Invalid ${label}: the expression is empty.`);
  if (text.includes('\u0000')) throw badRequest(`Invalid ${label}: the expression contains a NUL character.`);
  return new Parser(text, spec, label).parse();
}
