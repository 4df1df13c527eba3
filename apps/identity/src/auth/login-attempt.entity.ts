import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One login attempt, for throttling by account and by IP. */
@Entity({ name: 'login_attempts' })
export class LoginAttemptEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') email!: string;
  @Column('text') ip!: string;
  @Column('boolean') succeeded!: boolean;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
