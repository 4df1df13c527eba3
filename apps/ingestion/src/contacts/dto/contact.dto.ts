import { PageQuery } from '@leadflow/platform/persistence';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { MaxTagLength, MaxTags } from '../contact-fields';

/** Present (even `null`): validate; absent: leave alone. For fields that cannot be cleared. */
const isPresent = (_: object, value: unknown): boolean => value !== undefined;

export class ListContactsQuery extends PageQuery {
  /** Part of the name, e-mail or phone (any phone format: the digits are compared). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  /** A phone number in any format; matches the contact's E.164 number. */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  @Matches(/\d/, { message: 'phone must contain digits' })
  phone?: string;

  /** Exact e-mail address (case-insensitive). */
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsUUID('all')
  workspaceId?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MaxTagLength)
  tag?: string;
}

export class ContactLeadsQuery extends PageQuery {}

/** Changes to a contact: a field set to `null` is cleared; `tags` replaces the list. */
export class UpdateContactDto {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  firstName?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  lastName?: string | null;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  address?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  address2?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  city?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(50)
  state?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  zip?: string | null;

  /** The contact's tags, replacing the current ones (trimmed, each once). */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(MaxTags)
  @IsString({ each: true })
  @MaxLength(MaxTagLength, { each: true })
  tags?: string[];

  /** Merged into the current custom fields: a key set to `null` is removed. */
  @ValidateIf(isPresent)
  @IsObject()
  customFields?: Record<string, unknown>;
}

export class MergeContactDto {
  /** The contact merged into the one of the path; it disappears and its leads move over. */
  @IsUUID('all')
  sourceContactId!: string;
}
