import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RequestPasswordResetDto {
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(320)
  email!: string;
}

export class ConfirmPasswordResetDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  /** The new password (policy applies: 422 with rule minLength/notCommon/notEmail). */
  @IsString()
  @MaxLength(1024)
  password!: string;
}

export class ChangePasswordDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  currentPassword!: string;

  /** Policy applies (422 naming `newPassword`). */
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}

export interface PasswordResetResult {
  /** Sessions (and their refresh tokens) the reset revoked, in every organization. */
  sessionsRevoked: number;
  /** API keys the user created that are still live: the reset does not revoke them. */
  liveApiKeys: {
    id: string;
    name: string;
    prefix: string;
    workspaceId: string | null;
    organizationId: string;
  }[];
}
